import Vapor

/// Every body is limited to `defaultMaxBodySize` (1 MB), except on the routes that take a file,
/// which are made with `upload(_:use:)` and allow `HUIFANG_MAX_UPLOAD_MB`.
extension RoutesBuilder {
    /// A POST route taking a file. Its body is streamed, so the guards before it run before a byte
    /// is read; it is collected up to the upload limit only when the handler (or, for a page, the
    /// CSRF check of an admitted user) reads it.
    @discardableResult
    func upload<Reply: AsyncResponseEncodable>(
        _ path: PathComponent..., use closure: @escaping @Sendable (Request) async throws -> Reply
    ) -> Route {
        let route = on(.POST, path, body: .stream) { request async throws -> Reply in
            if request.body.data == nil {
                _ = try await request.body.collect(max: request.uploadLimit).get()
            }
            return try await closure(request)
        }
        route.userInfo[AnySendableHashable(uploadKey)] = true
        return route
    }
}

private let uploadKey = "huifang.upload"

extension Request {
    /// The largest body an upload route takes.
    var uploadLimit: Int { application.huifang.maxUploadMegabytes * 1024 * 1024 }

    /// The largest body this request's route takes.
    var bodyLimit: Int {
        route?.userInfo[AnySendableHashable(uploadKey)] as? Bool == true
            ? uploadLimit : application.routes.defaultMaxBodySize.value
    }
}
