import Engine

/// Which optimizer to train with, and its settings (Keras defaults).
public enum OptimizerSpec: Codable, Equatable, Sendable {
    case sgd(SGDHyperparameters)
    case adam(AdamHyperparameters)

    public var learningRate: Float {
        switch self {
        case let .sgd(h): return h.learningRate
        case let .adam(h): return h.learningRate
        }
    }

    /// The state tensors each parameter needs, by slot name.
    var slots: [String] {
        switch self {
        case .sgd: return ["velocity"]
        case .adam: return ["m", "v"]
        }
    }
}

/// Updates parameters from their gradients, keeping per-parameter state on the backend.
///
/// State is made when the optimizer is, zero-filled, so that a checkpoint can save and restore
/// it as plain named tensors.
public final class Optimizer {
    public let spec: OptimizerSpec
    /// Steps taken so far (Keras `iterations`): Adam's bias correction counts them.
    public internal(set) var stepCount: Int = 0
    private let backend: any Backend
    /// Per parameter (same order as given at init), its state tensors by slot.
    private let state: [(parameter: Parameter, slots: [String: Tensor])]

    public init(spec: OptimizerSpec, parameters: [Parameter], backend: any Backend) throws {
        switch spec {
        case let .sgd(h):
            guard h.learningRate >= 0, h.momentum >= 0 else {
                throw LearningError.invalidConfiguration("SGD needs learning rate and momentum >= 0")
            }
        case let .adam(h):
            guard h.learningRate >= 0, (0..<1).contains(h.beta1), (0..<1).contains(h.beta2), h.epsilon >= 0 else {
                throw LearningError.invalidConfiguration("Adam needs learning rate >= 0, betas in [0, 1), epsilon >= 0")
            }
        }
        self.spec = spec
        self.backend = backend
        state = try parameters.map { parameter in
            (parameter, try Dictionary(uniqueKeysWithValues: spec.slots.map { ($0, try backend.zeros(parameter.value.shape)) }))
        }
    }

    /// Applies one update to every parameter from its current gradient.
    public func step() throws {
        stepCount += 1
        for (parameter, slots) in state {
            switch spec {
            case let .sgd(h):
                try backend.sgdStep(parameters: parameter.value, gradients: parameter.gradient,
                                    velocity: slots["velocity"]!, hyperparameters: h)
            case let .adam(h):
                try backend.adamStep(parameters: parameter.value, gradients: parameter.gradient,
                                     firstMoment: slots["m"]!, secondMoment: slots["v"]!, hyperparameters: h, step: stepCount)
            }
        }
    }

    /// The state as named tensors: `optimizer/<parameter>/<slot>`.
    public var stateTensors: [(name: String, tensor: Tensor)] {
        state.flatMap { entry in
            spec.slots.map { slot in ("optimizer/\(entry.parameter.name)/\(slot)", entry.slots[slot]!) }
        }
    }
}
