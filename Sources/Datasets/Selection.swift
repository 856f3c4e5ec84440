/// Which images of a class a subset keeps when it keeps fewer than all of them.
public enum Selection: Sendable, Equatable, Codable {
    /// The first N in file order, as the original study's `cut_data` did.
    case first
    /// N chosen at random; the same seed always chooses the same images of a digit, whatever
    /// other digits are kept beside it.
    case random(seed: UInt64)
}
