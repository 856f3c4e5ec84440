/// A case input made on first use and kept: MNIST, the training data, the signatures. Cases are
/// listed cheaply (the package-benchmark suite lists every one at each start), and only the
/// cases that run pay for what they read.
final class LazyInput<Value> {
    private var made: Value?
    private let make: () throws -> Value

    init(_ make: @escaping () throws -> Value) {
        self.make = make
    }

    /// The value, made now if it was not yet.
    func value() throws -> Value {
        if let made { return made }
        let value = try make()
        made = value
        return value
    }
}
