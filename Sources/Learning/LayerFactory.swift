import Engine

/// Builds one layer from its spec, given the shape of one example coming in.
enum LayerFactory {
    static func make(_ spec: LayerSpec, inputShape shape: [Int], isLast: Bool, backend: any Backend,
                     generator: inout SeededGenerator) throws -> any Layer {
        switch spec {
        case let .dense(name, units, activation, l2):
            if activation == .softmax && !isLast {
                throw LearningError.invalidModel("softmax is only supported on the last layer ('\(name)')")
            }
            if let l2, l2 < 0 || !l2.isFinite { throw LearningError.invalidModel("l2 of '\(name)' must be >= 0") }
            guard let inputs = checkedElementCount(shape), units > 0, checkedElementCount([inputs, units]) != nil else {
                throw LearningError.invalidModel("dense layer '\(name)' with \(units) units on \(shape) inputs is too large (or empty)")
            }
            return try Dense(name: name, inputs: inputs, units: units, activation: activation,
                             l2: l2, backend: backend, generator: &generator)
        case let .activation(name, activation):
            if activation == .softmax && !isLast {
                throw LearningError.invalidModel("softmax is only supported on the last layer ('\(name)')")
            }
            return ActivationLayer(name: name, activation: activation, shape: shape, backend: backend)
        case let .conv2d(name, filters, kernel, strides, padding, activation):
            try checkPairs(name, kernel, strides)
            guard filters > 0, shape.count == 3, checkedElementCount(kernel + [shape[2], filters]) != nil else {
                throw LearningError.invalidModel("'\(name)': \(filters) filters of \(kernel) on \(shape) need an impossible kernel tensor")
            }
            return try Conv2DLayer(name: name, inputShape: shape, filters: filters, kernel: kernel, strides: strides,
                                   padding: padding, activation: activation, backend: backend, generator: &generator)
        case let .maxPool2d(name, pool, strides, padding):
            try checkPairs(name, pool, strides)
            return try MaxPool2DLayer(name: name, inputShape: shape, pool: pool, strides: strides, padding: padding,
                                      backend: backend)
        case let .dropout(name, rate):
            return try DropoutLayer(name: name, rate: rate, shape: shape, backend: backend)
        case let .flatten(name):
            return FlattenLayer(name: name, inputShape: shape)
        }
    }

    /// Window and stride sizes come as (height, width) pairs of positive numbers.
    private static func checkPairs(_ name: String, _ window: [Int], _ strides: [Int]) throws {
        guard window.count == 2, strides.count == 2, (window + strides).allSatisfy({ $0 > 0 }) else {
            throw LearningError.invalidModel("'\(name)': window \(window) and strides \(strides) must be two positive sizes")
        }
    }
}
