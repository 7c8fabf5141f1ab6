import Foundation
import Vapor

/// Serves the style sheets, scripts and icon under `Public/` (`/css/…`, `/js/…`, `/favicon.ico`). Other paths go
/// straight on: looking each API call up on disk first cost a file-system call per request.
struct StaticFiles: Middleware {
    let files: FileMiddleware
    /// The first path segments that name a folder of `Public/`, as `/css/`.
    let prefixes: [String]
    /// The paths of the files at the top of `Public/`, as `/favicon.ico`.
    let topFiles: Set<String>

    init(directory: URL) {
        files = FileMiddleware(publicDirectory: directory.path + "/")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        func isFolder(_ name: String) -> Bool {
            var folder: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(name).path, isDirectory: &folder) && folder.boolValue
        }
        prefixes = entries.filter(isFolder).map { "/\($0)/" }
        topFiles = Set(entries.filter { !isFolder($0) }.map { "/\($0)" })
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let path = request.urlPath
        guard topFiles.contains(path) || prefixes.contains(where: { path.hasPrefix($0) }) else {
            return next.respond(to: request)
        }
        return files.respond(to: request, chainingTo: next)
    }
}
