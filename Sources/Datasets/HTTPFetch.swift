import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET into a file, waited for synchronously, within bounded time.
enum HTTPFetch {
    /// Downloads `url` to `destination` (replacing it). Returns nil on success, else why not.
    ///
    /// `idleTimeout` bounds the wait for each piece of the answer, `totalTimeout` the whole
    /// transfer; the caller's thread waits at most a few seconds longer than `totalTimeout`,
    /// whatever the network does.
    static func fetch(_ url: URL, to destination: URL, idleTimeout: Double, totalTimeout: Double) -> DownloadFailure.Reason? {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.timeoutIntervalForResource = totalTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }
        let outcome = Outcome()
        let task = session.downloadTask(with: url) { location, response, error in
            outcome.finish(with: store(location, response, error, at: destination, idleTimeout: idleTimeout))
        }
        task.resume()
        if outcome.wait(seconds: totalTimeout + 5) { return outcome.reason }
        task.cancel()
        // The completion handler may still be copying; let it finish so no file appears later.
        _ = outcome.wait(seconds: 5)
        try? FileManager.default.removeItem(at: destination)
        return .timedOut(totalTimeout)
    }

    /// Runs in the session's completion handler, while `location` still exists.
    private static func store(_ location: URL?, _ response: URLResponse?, _ error: (any Error)?,
                              at destination: URL, idleTimeout: Double) -> DownloadFailure.Reason? {
        if let error {
            let code = (error as NSError).code
            if code == NSURLErrorTimedOut { return .timedOut(idleTimeout) }
            return .transport(error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else { return .transport("no HTTP response") }
        guard http.statusCode == 200 else { return .httpStatus(http.statusCode) }
        guard let location else { return .transport("the download left no file") }
        do {
            try? FileManager.default.removeItem(at: destination)
            // A copy, not a move: the session's temporary folder may be on another file system.
            try FileManager.default.copyItem(at: location, to: destination)
        } catch {
            try? FileManager.default.removeItem(at: destination)
            return .cannotStore(error.localizedDescription)
        }
        return nil
    }
}

/// The result of a transfer, handed from the session's queue to the waiting thread.
private final class Outcome: @unchecked Sendable {
    // Safety: `result` is written once before `done` is signalled and read only after a
    // successful wait on it, so the semaphore orders every access.
    private let done = DispatchSemaphore(value: 0)
    private var result: DownloadFailure.Reason?

    func finish(with reason: DownloadFailure.Reason?) {
        result = reason
        done.signal()
    }

    /// True if the transfer finished within `seconds`.
    func wait(seconds: Double) -> Bool {
        done.wait(timeout: .now() + seconds) == .success
    }

    var reason: DownloadFailure.Reason? { result }
}
