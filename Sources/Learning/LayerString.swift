import Engine

/// The compact way to write a model: layers separated by spaces (or `->`), each a name with
/// optional arguments in parentheses, positional first, then `key=value`:
///
///     conv(32,3) pool(2) dropout(0.25) flatten dense(64) 
///     conv(16,5,stride=2,padding=same,activation=tanh) pool(3,stride=2) flatten dense(32,sigmoid)
///
/// | layer | arguments |
/// | --- | --- |
/// | `conv(filters, kernel)` | `stride=1`, `padding=valid\|same`, `activation=relu` (a bare `relu`, `same` ... works too); `kernel` may be `3` or `3x5` |
/// | `pool(size)` | max pooling; `stride=size`, `padding=valid` |
/// | `dropout(rate)` | rate in [0, 1) |
/// | `flatten` | |
/// | `dense(units)` | `activation=relu` |
///
/// The string describes the hidden layers: the softmax output layer, one unit per class, is
/// added by `ModelSpec.parse`. Layers are named `conv_1`, `pool_1`, `dropout_1`, `flatten`,
/// `hidden_1` ... in order of appearance, so the study can ask for any of them by name.
extension ModelSpec {
    /// Parses a layer string into a model for `inputShape`, ending in `Dense(classes, softmax)`.
    /// - Throws: `LearningError.invalidModel` naming the offending word and what was expected.
    public static func parse(_ text: String, inputShape: [Int], classes: Int) throws -> ModelSpec {
        var counts: [String: Int] = [:]
        func nextName(_ kind: String) -> String {
            counts[kind, default: 0] += 1
            return kind == "flatten" && counts[kind] == 1 ? "flatten" : "\(kind)_\(counts[kind]!)"
        }
        var layers: [LayerSpec] = []
        for word in try LayerWord.split(text) {
            switch word.kind {
            case "conv":
                let filters = try word.positiveInt(0, "filters")
                let kernel = try word.size(1, "kernel size")
                let stride = try word.keyed("stride").map { try word.sizeValue($0, "stride") } ?? [1, 1]
                layers.append(.conv2d(name: nextName("conv"), filters: filters, kernel: kernel, strides: stride,
                                      padding: try word.padding(), activation: try word.activation(default: .relu)))
            case "pool":
                let size = try word.size(0, "pool size")
                let stride = try word.keyed("stride").map { try word.sizeValue($0, "stride") } ?? size
                layers.append(.maxPool2d(name: nextName("pool"), pool: size, strides: stride, padding: try word.padding()))
            case "dropout":
                let rate = try word.number(0, "rate")
                guard rate >= 0 && rate < 1 else { throw word.error("dropout rate must be in [0, 1), got \(rate)") }
                layers.append(.dropout(name: nextName("dropout"), rate: Float(rate)))
            case "flatten":
                layers.append(.flatten(name: nextName("flatten")))
            case "dense":
                layers.append(.dense(name: nextName("hidden"), units: try word.positiveInt(0, "units"),
                                     activation: try word.activation(default: .relu), l2: nil))
            default:
                throw word.error("unknown layer '\(word.kind)': use conv, pool, dropout, flatten or dense")
            }
            try word.checkAllUsed()
        }
        guard !layers.isEmpty else { throw LearningError.invalidModel("the layer string is empty") }
        // Keras needs an explicit Flatten before Dense; we flatten implicitly only at the output.
        layers.append(.dense(name: "output", units: classes, activation: .softmax, l2: nil))
        return ModelSpec(inputShape: inputShape, layers: layers)
    }
}

/// One `kind(arguments)` word of a layer string.
struct LayerWord {
    let text: String
    let kind: String
    let positional: [String]
    let namedArguments: [String: String]
    private let used: Box

    /// Tracks which arguments a layer consumed, to reject the ones it did not.
    final class Box { var positional = Set<Int>(), keys = Set<String>() }

    static func split(_ text: String) throws -> [LayerWord] {
        var words: [String] = [], current = "", depth = 0
        for character in text.replacingOccurrences(of: "->", with: " ") {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            guard depth >= 0 else { throw LearningError.invalidModel("unbalanced ')' in '\(text)'") }
            if (character.isWhitespace || character == ";") && depth == 0 {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if !character.isWhitespace {
                current.append(character)
            }
        }
        guard depth == 0 else { throw LearningError.invalidModel("unbalanced '(' in '\(text)'") }
        if !current.isEmpty { words.append(current) }
        return try words.map(LayerWord.init)
    }

    init(_ text: String) throws {
        self.text = text
        used = Box()
        guard let open = text.firstIndex(of: "(") else {
            kind = text.lowercased()
            positional = []
            namedArguments = [:]
            return
        }
        guard text.hasSuffix(")") else { throw LearningError.invalidModel("'\(text)': arguments must end with ')'") }
        kind = text[..<open].lowercased()
        var positional: [String] = [], keyed: [String: String] = [:]
        for argument in text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",") {
            let parts = argument.split(separator: "=", maxSplits: 1).map { $0.lowercased() }
            if parts.count == 2 {
                guard keyed.updateValue(parts[1], forKey: parts[0]) == nil else {
                    throw LearningError.invalidModel("'\(text)': '\(parts[0])' given twice")
                }
            } else if let bare = parts.first, Activation(rawValue: bare) != nil {
                keyed["activation"] = bare
            } else if let bare = parts.first, Padding(rawValue: bare) != nil {
                keyed["padding"] = bare
            } else {
                positional.append(parts.first ?? "")
            }
        }
        self.positional = positional
        self.namedArguments = keyed
    }

    func error(_ message: String) -> LearningError { .invalidModel("'\(text)': \(message)") }

    func keyed(_ key: String) -> String? {
        used.keys.insert(key)
        return namedArguments[key]
    }

    func argument(_ index: Int, _ what: String) throws -> String {
        guard index < positional.count else { throw error("missing \(what)") }
        used.positional.insert(index)
        return positional[index]
    }

    func positiveInt(_ index: Int, _ what: String) throws -> Int {
        let text = try argument(index, what)
        guard let value = Int(text), value > 0 else { throw error("\(what) must be a positive integer, got '\(text)'") }
        return value
    }

    func number(_ index: Int, _ what: String) throws -> Double {
        let text = try argument(index, what)
        guard let value = Double(text), value.isFinite else { throw error("\(what) must be a number, got '\(text)'") }
        return value
    }

    /// `3` (square) or `3x5` (height x width).
    func size(_ index: Int, _ what: String) throws -> [Int] {
        try sizeValue(try argument(index, what), what)
    }

    func sizeValue(_ text: String, _ what: String) throws -> [Int] {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw error("\(what) must be like 3 or 3x5, got '\(text)'")
        }
        let values = parts.map { $0! }
        return values.count == 1 ? [values[0], values[0]] : values
    }

    func padding() throws -> Padding {
        guard let text = keyed("padding") else { return .valid }
        guard let padding = Padding(rawValue: text) else { throw error("padding must be valid or same, got '\(text)'") }
        return padding
    }

    func activation(default fallback: Activation) throws -> Activation {
        guard let text = keyed("activation") else { return fallback }
        guard let activation = Activation(rawValue: text), activation != .softmax else {
            throw error("activation must be relu, tanh, sigmoid or linear, got '\(text)'")
        }
        return activation
    }

    func checkAllUsed() throws {
        if let extra = positional.indices.first(where: { !used.positional.contains($0) }) {
            throw error("unexpected argument '\(positional[extra])'")
        }
        if let extra = namedArguments.keys.sorted().first(where: { !used.keys.contains($0) }) {
            throw error("unexpected argument '\(extra)='")
        }
    }
}
