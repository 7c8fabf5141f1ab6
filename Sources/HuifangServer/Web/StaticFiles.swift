import Foundation
import Vapor

/// Serves the style sheets and scripts under `Public/` (`/css/…`, `/js/…`). Other paths go straight on: looking
/// each API call up on disk first cost a file-system call per request.
struct StaticFiles: AsyncMiddleware {
    let files: FileMiddleware
    /// The first path segments that name a folder of `Public/`, as `/css/`.
    let prefixes: [String]

    init(directory: URL) {
        files = FileMiddleware(publicDirectory: directory.path + "/")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        prefixes = folders.map { "/\($0)/" }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard prefixes.contains(where: { path.hasPrefix($0) }) else { return try await next.respond(to: request) }
        return try await files.respond(to: request, chainingTo: next)
    }
}
