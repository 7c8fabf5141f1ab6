import HuifangCore
import Testing

@Suite struct RedirectTargetTests {
    @Test(arguments: ["/", "/customers", "/customers?q=%E7%8E%8B&page=2", "/tasks/12#records"])
    func keepsLocalPaths(path: String) {
        #expect(RedirectTarget.local(path) == path)
    }

    @Test(arguments: [
        "//evil.example", "/\\evil.example", "/%09/evil.example", "/%0d%0aSet-Cookie:%20x=1", "/\r\nSet-Cookie: x=1",
        "https://evil.example", "evil.example", "/%2F/evil.example", "/%5Cevil.example", "/ /evil", "/a%00b", "",
        "/%zz",
    ])
    func sendsEverythingElseHome(path: String) {
        #expect(RedirectTarget.local(path) == "/")
    }

    @Test func sendsNothingHome() {
        #expect(RedirectTarget.local(nil) == "/")
    }
}

@Suite struct TrustedProxiesTests {
    let proxies = TrustedProxies(["10.0.0.0/8", "2001:db8::/32", "192.168.1.5"].map { .init(parsing: $0)! })

    @Test func matchesAddressesInsideTheirNetworks() {
        #expect(proxies.isTrusted("10.200.3.4"))
        #expect(!proxies.isTrusted("11.0.0.1"))
        #expect(proxies.isTrusted("192.168.1.5"))
        #expect(!proxies.isTrusted("192.168.1.6"))
        #expect(proxies.isTrusted("2001:db8:1::7"))
        #expect(proxies.isTrusted("[2001:DB8::1]"))
        #expect(!proxies.isTrusted("2001:db9::1"))
        #expect(proxies.isTrusted("::ffff:10.1.2.3"), "an IPv4-mapped address is its IPv4 address")
        #expect(!proxies.isTrusted("not-an-address"))
    }

    @Test func matchesPrefixesThatAreNotWholeBytes() {
        let network = TrustedProxies.Network(parsing: "172.16.0.0/12")!
        #expect(network.contains(IPAddress.bytes("172.31.255.255")!))
        #expect(!network.contains(IPAddress.bytes("172.32.0.0")!))
        #expect(TrustedProxies.Network(parsing: "0.0.0.0/0")!.contains(IPAddress.bytes("8.8.8.8")!))
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0", "fe80::/129", "example.com", "10.0.0.0/x", "1::2::3", "256.1.1.1"])
    func refusesWhatIsNotANetwork(text: String) {
        #expect(TrustedProxies.Network(parsing: text) == nil)
    }

    @Test func parsesAListAndNamesTheBadEntry() throws {
        #expect(try TrustedProxies.parse("10.0.0.0/8, ::1").get().networks.count == 2)
        #expect(TrustedProxies.parse("10.0.0.0/8, nope") == .failure(.init(entry: "nope")))
    }

    @Test func anUntrustedPeerIsTheClientWhateverItForwards() {
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"]) == "203.0.113.9")
    }

    @Test func theRightMostUntrustedHopIsTheClient() {
        let forwarded = ["6.6.6.6, 7.7.7.7", "198.51.100.20, 10.0.0.3"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: forwarded) == "198.51.100.20")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: []) == "10.0.0.2")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["10.0.0.9"]) == "10.0.0.9")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["junk, 198.51.100.20"]) == "198.51.100.20")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["198.51.100.20, junk"]) == "10.0.0.2")
    }
}
