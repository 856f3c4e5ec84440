/// The area under the ROC curve of `scores` for telling positives from negatives, as
/// scikit-learn's `roc_auc_score`: the probability that a random positive scores above a random
/// negative, a tie counting one half.
///
/// - Parameters:
///   - scores: one score per example, higher meaning "more likely positive" (infinities allowed).
///   - positive: whether each example is a positive, in the same order.
/// - Returns: a value in 0...1; 0.5 for scores that carry no information.
/// - Throws: `SignaturesError.sizeMismatch` when the arrays differ in length, `.invalidArgument`
///   when a score is NaN, `.insufficientData` when positives or negatives are absent (the area is
///   undefined then).
/// - Complexity: O(n log n) for the sort; O(n) extra memory.
public func rocAUC<Score: BinaryFloatingPoint>(scores: [Score], positive: [Bool]) throws -> Double {
    guard scores.count == positive.count else {
        throw SignaturesError.sizeMismatch("\(scores.count) scores for \(positive.count) positive flags")
    }
    if let bad = scores.firstIndex(where: \.isNaN) { throw SignaturesError.invalidArgument("score \(bad) is NaN") }
    let positives = positive.count(where: { $0 })
    let negatives = positive.count - positives
    guard positives > 0, negatives > 0 else {
        throw SignaturesError.insufficientData("ROC AUC needs positives and negatives, got \(positives) and \(negatives)")
    }

    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    // Twice the Mann-Whitney count, so that ties (half a win each) stay exact integers:
    // each positive beats the negatives below its score and ties the negatives at it.
    var twiceWins = 0
    var negativesBelow = 0
    var start = 0
    while start < order.count {
        var end = start
        var positivesHere = 0
        while end < order.count, scores[order[end]] == scores[order[start]] {
            if positive[order[end]] { positivesHere += 1 }
            end += 1
        }
        let negativesHere = end - start - positivesHere
        twiceWins += positivesHere * (2 * negativesBelow + negativesHere)
        negativesBelow += negativesHere
        start = end
    }
    return Double(twiceWins) / (2 * Double(positives) * Double(negatives))
}
