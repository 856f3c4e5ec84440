/// Which images of a split become examples: the classes kept and how many of each.
///
/// `SubsetSpecification(classes: [1, 7], perClass: 100, selection: .first)` is the original
/// study's `signature_17_100`; `perClass: nil` keeps every image of the chosen classes.
public struct SubsetSpecification: Sendable, Equatable, Codable {
    /// The labels (digits) to keep, 0-9, in any order and without repeats; examples are
    /// classed by their position in the sorted list.
    public var classes: [Int]
    /// Images kept per class; nil keeps all of them. Must be at least 1.
    public var perClass: Int?
    /// How the `perClass` images are picked when a class has more.
    public var selection: Selection

    public init(classes: [Int], perClass: Int?, selection: Selection = .first) {
        self.classes = classes
        self.perClass = perClass
        self.selection = selection
    }
}
