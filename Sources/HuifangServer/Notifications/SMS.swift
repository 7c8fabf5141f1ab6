import Foundation
import HuifangCore
import Vapor

/// Where text messages go: only into the log (development), or to an HTTP gateway that takes
/// `POST {"to": "+8613800000000", "text": "…", "reference": "42"}` as JSON and answers 2xx when it has
/// accepted the message. Any provider (阿里云短信, 腾讯云短信, Twilio, …) is reached through a small
/// adapter speaking this one shape, so Huifang holds no provider's credentials or quirks.
public enum SMSGateway: Sendable, Equatable {
    case log
    case http(url: String, token: String?)
}

struct SMSClient {
    let gateway: SMSGateway
    let client: (any Client)?
    let logger: Logger

    struct Payload: Content {
        let to: String
        let text: String
        let reference: String
    }

    struct GatewayError: Error, CustomStringConvertible {
        let description: String
    }

    /// The text with each survey link's signature cut off, so a log reader cannot answer as the customer.
    static func redactingLinks(_ text: String) -> String {
        text.replacingOccurrences(
            of: #"/s/([0-9]+-[0-9]+)-[A-Za-z0-9_-]+"#, with: "/s/$1-…", options: .regularExpression)
    }

    /// Sends one message and names the transport used (`log` or `http`).
    func send(to: String, text: String, reference: String) async throws -> String {
        switch gateway {
        case .log:
            logger.notice("SMS (log only) to \(Masking.maskPhone(to)) [\(reference)]: \(Self.redactingLinks(text))")
            return "log"
        case .http(let url, let token):
            guard let client else { throw GatewayError(description: "no HTTP client") }
            var headers = HTTPHeaders()
            if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
            let response = try await client.post(URI(string: url), headers: headers) { request in
                try request.content.encode(Payload(to: to, text: text, reference: reference), as: .json)
                // A gateway that does not answer must not hold up the outbox.
                request.timeout = .seconds(20)
            }
            guard (200..<300).contains(response.status.code) else {
                let body = response.body.map { String(buffer: $0) } ?? ""
                throw GatewayError(description: "gateway answered \(response.status.code) \(body.prefix(200))")
            }
            return "http"
        }
    }
}
