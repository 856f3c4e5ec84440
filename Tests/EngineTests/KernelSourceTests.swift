import Kernels
import Testing

/// Rules the kernel files keep, checked on their text.
@Suite("Kernel sources")
struct KernelSourceTests {
    /// The 1-based numbers of the lines of `text` where `inline` is not preceded by `static`
    /// (comments after `//` ignored).
    static func bareInlines(in text: String) -> [Int] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { number, line in
            let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = code.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
            let bare = words.indices.contains { words[$0] == "inline" && ($0 == 0 || words[$0 - 1] != "static") }
            return bare ? number + 1 : nil
        }
    }

    /// Every helper function is `static inline`: under C99's rules, which OpenCL C follows, a
    /// plain `inline` definition provides no external symbol, so a compiler that chooses not
    /// to inline a call leaves it undefined at link time.
    @Test(arguments: KernelSource.allCases)
    func helpersAreStaticInline(source: KernelSource) {
        #expect(Self.bareInlines(in: source.embeddedText) == [], "\(source.fileName)")
    }

    @Test func theCheckFindsABareInlineAndNothingElse() {
        let text = """
            inline float f(float x) { return x; }
            static inline float g(float x) { return x; }
            float h(float x); // inline elsewhere
            __kernel void k(__global float* x) { x[0] = g(f(x[0])); }
            """
        #expect(Self.bareInlines(in: text) == [1])
    }
}
