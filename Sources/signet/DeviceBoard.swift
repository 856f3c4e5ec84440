import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Standard error of a sweep run on several devices at once (`signet sweep --devices`).
///
/// On a terminal: one line per device, kept at the bottom and rewritten in place (its phase,
/// epoch or progress bar), and the lines to keep (each experiment's result) printed above it.
/// Into a pipe or a log: every line whole, with its device in front (`[opencl:0] Epoch 3/15 ...`),
/// and no control characters. Workers write from their own threads; a lock keeps lines whole.
final class DeviceBoard: @unchecked Sendable {
    // @unchecked: `lines` and `drawn` are read and written under `lock` only.
    private let lock = NSLock()
    let isTerminal = isatty(STDERR_FILENO) == 1
    /// Each device's name, padded to the longest so that the lines align.
    private let labels: [String]
    private var lines: [String]
    private var drawn = false

    init(devices: [String]) {
        let width = devices.map(\.count).max() ?? 0
        labels = devices.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines = devices.map { _ in "waiting" }
    }

    /// The console of device `device`'s worker.
    func lane(_ device: Int) -> DeviceLane {
        DeviceLane(board: self, device: device)
    }

    /// Lines to keep, from `device`: above the board on a terminal, else prefixed.
    func keep(_ text: String, from device: Int) {
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).map { "[\(labels[device])] \($0)" }
        lock.lock()
        defer { lock.unlock() }
        if isTerminal { draw(above: kept) } else { write(kept.map { $0 + "\n" }.joined()) }
    }

    /// Device `device`'s live line (a terminal only; a log keeps the lines `keep` is given).
    func show(_ line: String, on device: Int) {
        guard isTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        lines[device] = line
        draw(above: [])
    }

    /// Redraws the board, `kept` lines first: from its first row (the cursor rests on the row
    /// after it), every row cleared and rewritten. Each device's line is cut to the terminal's
    /// width, so that it takes one row and the next redraw finds the board where it left it.
    private func draw(above kept: [String]) {
        var text = drawn ? "\u{1B}[\(lines.count)A" : ""
        for line in kept { text += "\r\u{1B}[2K" + line + "\n" }
        let columns = terminalColumns(STDERR_FILENO)
        for (device, line) in lines.enumerated() {
            let full = "\(labels[device])  \(line)"
            text += "\r\u{1B}[2K" + (columns.map { String(full.prefix(max($0 - 1, 1))) } ?? full) + "\n"
        }
        drawn = true
        write(text)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// One device's worker's console: its study's phases, epochs and bar become the device's line
/// of the board on a terminal, or lines with the device in front in a log. The model's summary,
/// a table, goes to a log only: a board has one line per device.
final class DeviceLane: ProgressConsole {
    let board: DeviceBoard
    let device: Int

    init(board: DeviceBoard, device: Int) {
        self.board = board
        self.device = device
    }

    var isTerminal: Bool { board.isTerminal }
    var holdsTables: Bool { !board.isTerminal }

    func note(_ line: String) {
        if board.isTerminal { board.show(line, on: device) } else { board.keep(line, from: device) }
    }

    func overwrite(_ line: String) {
        board.show(line, on: device)
    }

    /// A line to keep on a terminal too (an experiment's result).
    func keep(_ line: String) {
        board.keep(line, from: device)
    }
}
