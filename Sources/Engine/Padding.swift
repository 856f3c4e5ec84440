/// How a sliding window (a convolution kernel, a pooling window) treats the image border, as
/// Keras and TensorFlow define it.
public enum Padding: String, Sendable, Codable, CaseIterable {
    /// No padding: only windows that lie wholly inside the image;
    /// `out = floor((in - window) / stride) + 1`.
    case valid
    /// Zero padding (ignored values, for pooling) so that `out = ceil(in / stride)`; the padding
    /// is split evenly, the odd one out going to the bottom / right, as TensorFlow does.
    case same

    /// The number of window positions along one axis; 0 when none fits (or a size is not positive).
    public func outputSize(input: Int, window: Int, stride: Int) -> Int {
        guard input > 0, window > 0, stride > 0 else { return 0 }
        switch self {
        case .valid: return input < window ? 0 : (input - window) / stride + 1
        case .same: return (input - 1) / stride + 1  // ceil(input / stride), without overflowing
        }
    }

    /// The padding before the first value along one axis (top or left): half the total, rounded
    /// down, the total being `max((out - 1) * stride + window - in, 0)`.
    public func paddingBefore(input: Int, window: Int, stride: Int) -> Int {
        guard self == .same else { return 0 }
        let output = outputSize(input: input, window: window, stride: stride)
        return max((output - 1) * stride + window - input, 0) / 2
    }
}

/// One axis of a sliding window, as the kernels need it: where window `o` starts is
/// `o * stride - padBefore` (possibly negative, in the padding).
struct WindowAxis: Equatable {
    var input: Int, window: Int, stride: Int, output: Int, padBefore: Int

    init(input: Int, window: Int, stride: Int, padding: Padding) {
        self.input = input
        self.window = window
        self.stride = stride
        output = padding.outputSize(input: input, window: window, stride: stride)
        padBefore = padding.paddingBefore(input: input, window: window, stride: stride)
    }

    /// The window positions that cover input position `i`: `o` with
    /// `o * stride - padBefore <= i < o * stride - padBefore + window`, clipped to `0..<output`.
    func windows(covering i: Int) -> Range<Int> {
        let shifted = i + padBefore
        // First o with o * stride + window > shifted, i.e. o > (shifted - window) / stride.
        let first = shifted < window ? 0 : (shifted - window) / stride + 1
        let last = min(shifted / stride, output - 1)
        return first <= last ? first..<(last + 1) : first..<first
    }
}

/// The checks every sliding-window geometry shares: each size positive, and at least one window
/// position in each direction.
/// - Throws: `EngineError.invalidArgument` naming the first offending size, or saying that the
///   `window` (e.g. "3x3 kernel") leaves no output.
func validateWindowGeometry(_ sizes: [(String, Int)], window: String, padding: Padding, height: Int, width: Int,
                            outputHeight: Int, outputWidth: Int, operation: String) throws {
    if let (name, value) = sizes.first(where: { $0.1 <= 0 }) {
        throw EngineError.invalidArgument(operation: operation, detail: "\(name) must be positive, got \(value)")
    }
    guard outputHeight > 0, outputWidth > 0 else {
        throw EngineError.invalidArgument(
            operation: operation, detail: "a \(window) with \(padding) padding leaves no output on a \(height)x\(width) image")
    }
}
