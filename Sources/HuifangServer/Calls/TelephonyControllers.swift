import Fluent
import Foundation
import HuifangCore
import Vapor

/// `POST /api/v1/telephony/events`: the phone system's events, with its own token (`HUIFANG_TELEPHONY_TOKEN`), not
/// a user's. Without the token configured the route answers `404` as if it did not exist; configured, a request
/// without it or with another token (a user's included) gets `401`, as at the SMS gateway's route.
struct TelephonyEventController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("telephony", "events", use: receive)
    }

    struct Accepted: Content {
        let callId: String
        /// `ringing`, `answered` or `ended`: how far the call has got.
        let state: String
        let durationSeconds: Int?
    }

    @Sendable func receive(req: Request) async throws -> Accepted {
        guard let expected = req.application.huifang.telephonyToken else { throw AppError.notFound }
        guard let given = req.headers.bearerAuthorization?.token, Self.same(given, expected) else {
            throw AppError.unauthorized
        }
        let call = try await TelephonyService(db: req.db, config: req.application.huifang, now: req.now)
            .handle(try req.content.decode(TelephonyEvent.self))
        let state = call.endedAt != nil ? "ended" : call.answeredAt != nil ? "answered" : "ringing"
        return Accepted(callId: call.callRef, state: state, durationSeconds: call.durationSeconds)
    }

    /// Compares in time that does not depend on where the texts differ.
    static func same(_ given: String, _ expected: String) -> Bool {
        let (a, b) = (Array(given.utf8), Array(expected.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// `GET /api/v1/telephony/calls/{callId}`: a call as the phone system reported it — when it rang, was answered and
/// ended, to the second, its duration and recording. An agent sees only the calls that rang at their extension.
struct TelephonyAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("telephony", "calls").guarded(.calls, .api).get(":callId", use: show)
    }

    struct CallView: Content {
        let callId: String
        let direction: String
        let phoneExtension: String?
        let customerID: Int?
        let rangAt: String?
        let answeredAt: String?
        let endedAt: String?
        let durationSeconds: Int?
        let recording: String?

        init(_ call: PhoneCall) {
            func instant(_ seconds: Double?) -> String? {
                seconds.map { Webhooks.instant(Date(timeIntervalSince1970: $0)) }
            }
            (callId, direction, phoneExtension, customerID) =
                (call.callRef, call.direction, call.phoneExtension, call.customerID)
            (rangAt, answeredAt, endedAt) = (instant(call.rangAt), instant(call.answeredAt), instant(call.endedAt))
            (durationSeconds, recording) = (call.durationSeconds, call.recordingRef)
        }

        enum CodingKeys: String, CodingKey {
            case callId, direction, customerID, rangAt, answeredAt, endedAt, durationSeconds, recording
            case phoneExtension = "extension"
        }
    }

    @Sendable func show(req: Request) async throws -> CallView {
        let user = try req.auth.require(User.self)
        guard let ref = req.parameters.get("callId"),
            let call = try await PhoneCall.query(on: req.db).filter(\.$callRef == ref).first(),
            user.role != .agent || call.agentID == user.id
        else { throw AppError.notFound }
        // Whose number and recording were shown: the customer's id, for a per-customer access report.
        try await req.domain.audit(
            "telephony.view", subjectType: "call", subjectID: ref, detail: call.customerID.map { "customer=\($0)" })
        return CallView(call)
    }
}
