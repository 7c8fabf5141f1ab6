import ArgumentParser
import HuifangServer

/// `huifang backup FILE`: a consistent copy of the SQLite database while the server runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the SQLite database to FILE while the server runs (a consistent snapshot, checked).",
        discussion: "FILE must not exist. The secret (HUIFANG_SECRET or the .secret file beside the database) is "
            + "not copied: keep it apart from the backups. For PostgreSQL use pg_dump."
    )

    @OptionGroup var options: ServerOptions

    @Argument(help: "Where to write the copy.")
    var file: String

    func run() async throws {
        let config = try options.load()
        print(try await reportingErrors { try await Operations.backup(config, to: file) })
    }
}

/// `huifang restore FILE`: a backup into a new, empty SQLite database.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `huifang backup` into a new, empty SQLite database, then migrate it.",
        discussion: "Refuses a database that has any table. Stop the server first. For PostgreSQL use pg_restore."
    )

    @OptionGroup var options: ServerOptions

    @Argument(help: "The backup to restore.")
    var file: String

    func run() async throws {
        let config = try options.load()
        print(try await reportingErrors { try await Operations.restore(config, from: file) })
    }
}
