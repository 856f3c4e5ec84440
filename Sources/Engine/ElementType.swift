/// What one value of a tensor is. Both are 4 bytes, so storage is sized the same way for each.
public enum ElementType: String, Sendable, Codable {
    /// IEEE single precision: activations, weights, distances.
    case float32
    /// Signed 32-bit integers: cluster labels and indices, which floats would only approximate
    /// past 2^24.
    case int32
}
