import ArgumentParser
import Datasets
import Foundation
import Report

/// `signet report DIR`: the browsable report of a study or sweep folder.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the browsable report (index.html) of a folder written by signet study or signet sweep.",
        discussion: """
            A study folder (result.json) gets index.html, its page; a sweep folder (index.json) gets \
            index.html listing its experiments and one page in each experiment's folder. The pages \
            open from disk in any browser, with no network and no server; the digit images go in \
            sprites/ beside each page when the dataset is found (--data, SIGNET_DATA or the cache). \
            signet study and signet sweep write it at their end too.
            """)

    @Argument(help: ArgumentHelp("A folder written by signet study or signet sweep.", valueName: "dir"))
    var folder: String

    @Option(help: ArgumentHelp("Folder holding the dataset's files, for the digit images (default: SIGNET_DATA, then the cache).",
                               valueName: "dir"))
    var data: String?

    func run() throws {
        let store = DatasetStore(dataDirectory: data.map { URL(fileURLWithPath: $0, isDirectory: true) })
        let page = try Report.write(folder: URL(fileURLWithPath: folder, isDirectory: true), store: store)
        print("Report: \(page.path)")
    }
}
