import Foundation
import Mustache

/// The report's own script, style and templates, compiled into the binary (`Assets/`, kept as
/// readable files in the repository) and written into every page.
enum ReportAssets {
    static var script: String { String(decoding: PackageResources.report_js, as: UTF8.self) }
    static var style: String { String(decoding: PackageResources.report_css, as: UTF8.self) }
    static var experimentTemplate: String { String(decoding: PackageResources.experiment_mustache, as: UTF8.self) }
    static var indexTemplate: String { String(decoding: PackageResources.index_mustache, as: UTF8.self) }
}

/// The parsed page templates (Mustache: `{{x}}` is HTML-escaped, `{{{x}}}` is not).
enum ReportTemplates {
    static let experiment = try! MustacheTemplate(string: ReportAssets.experimentTemplate)
    static let index = try! MustacheTemplate(string: ReportAssets.indexTemplate)
}

/// JSON for a `<script type="application/json">` element.
enum PageJSON {
    /// `value` as compact JSON, with every `</` written `<\/` (the same string to a JSON parser)
    /// so that no text in the data can close the script element.
    static func inline<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        return text.replacingOccurrences(of: "</", with: "<\\/")
    }
}
