import Foundation

/// The reverse proxies whose `X-Forwarded-For` entries are believed, by address or CIDR block.
public struct TrustedProxies: Sendable, Equatable {
    /// One IPv4 or IPv6 network: an address and the number of leading bits that must match.
    public struct Network: Sendable, Equatable {
        public let bytes: [UInt8]
        public let prefix: Int

        /// Parses `10.0.0.0/8`, `fd00::/8`, `127.0.0.1` or `::1`; nil when it is neither.
        public init?(parsing text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let bytes = IPAddress.bytes(String(parts[0])) else { return nil }
            let bits = bytes.count * 8
            if parts.count == 2 {
                guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
                self.prefix = prefix
            } else {
                self.prefix = bits
            }
            self.bytes = bytes
        }

        /// Whether `address` (already parsed) lies in this network.
        public func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for (a, b) in zip(address, bytes) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                if a & mask != b & mask { return false }
                remaining -= 8
            }
            return true
        }
    }

    public let networks: [Network]

    public init(_ networks: [Network] = []) { self.networks = networks }

    /// Parses a comma-separated list; returns the first entry that is not an address or CIDR as the error.
    public static func parse(_ list: String) -> Result<TrustedProxies, InvalidEntry> {
        var networks: [Network] = []
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let network = Network(parsing: entry) else { return .failure(InvalidEntry(entry: entry)) }
            networks.append(network)
        }
        return .success(TrustedProxies(networks))
    }

    /// An entry of the list that is neither an address nor a CIDR block.
    public struct InvalidEntry: Error, Equatable {
        public let entry: String

        public init(entry: String) { self.entry = entry }
    }

    /// The loopback networks, for a proxy on the same machine.
    public static let loopback = TrustedProxies([Network(parsing: "127.0.0.0/8")!, Network(parsing: "::1")!])

    public func isTrusted(_ address: String) -> Bool {
        guard let bytes = IPAddress.bytes(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client's address: walking from the connection's peer back through `X-Forwarded-For`
    /// (right to left), the first address that is not a trusted proxy. Entries left of it were
    /// written by the client and are ignored. When every hop is trusted, the left-most one.
    public func clientAddress(peer: String, forwardedFor headers: [String]) -> String {
        guard isTrusted(peer) else { return peer }
        let hops = headers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard IPAddress.bytes(hop) != nil else { return client }  // garbage: stop at the last good hop
            client = hop
            if !isTrusted(hop) { return hop }
        }
        return client
    }
}

/// Parsing textual IP addresses into their bytes.
public enum IPAddress {
    /// Four bytes for IPv4, sixteen for IPv6 (IPv4-mapped IPv6 addresses become IPv4); nil otherwise.
    public static func bytes(_ text: String) -> [UInt8]? {
        var text = text
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let v4 = ipv4(text) { return v4 }
        guard let v6 = ipv6(text) else { return nil }
        if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xFF, v6[11] == 0xFF { return Array(v6[12...]) }
        return v6
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), !text.contains(":::") else { return nil }
        var text = Substring(text)
        var tail: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = ipv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            text = Substring(String(text[...lastColon]) + "0:0")
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var values: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                values.append(value)
            }
            return values
        }
        guard let head = groups(halves[0]), let rest = halves.count == 2 ? groups(halves[1]) : [] else { return nil }
        let missing = 8 - head.count - rest.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let words = head + Array(repeating: 0, count: halves.count == 2 ? missing : 0) + rest
        var bytes = words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        if !tail.isEmpty { bytes.replaceSubrange(12..<16, with: tail) }
        return bytes
    }
}
