import Datasets
import Foundation

/// The digit images of a page, tiled into PNG sheets of at most 2048 px a side, loaded by the
/// page on demand (an `<img>` per sheet) and drawn tile by tile.
///
/// Why sheets: one file per image would be 70,000 files; one sheet of all would be 7,400 px a
/// side, past what browsers decode reliably (TensorBoard's projector caps its sheet at 8192 px).
struct SpriteSheets {
    /// Tiles per sheet row and column: 73 x 28 px = 2044 px.
    static let tilesPerSide = 73
    static var tilesPerSheet: Int { tilesPerSide * tilesPerSide }

    /// The images in slot order, each as its split and index in the dataset.
    private(set) var images: [ImageKey] = []
    private var slots: [ImageKey: Int] = [:]

    struct ImageKey: Hashable {
        let split: Split
        let index: Int
    }

    /// The slot of an image, given one the first time it is asked for.
    mutating func slot(split: Split, index: Int) -> Int {
        let key = ImageKey(split: split, index: index)
        if let slot = slots[key] { return slot }
        slots[key] = images.count
        images.append(key)
        return images.count - 1
    }

    /// The file name of sheet `index`.
    static func fileName(_ index: Int) -> String { "sheet-\(index).png" }

    var sheetCount: Int { (images.count + Self.tilesPerSheet - 1) / Self.tilesPerSheet }

    /// The sheets' PNG files, in order, from the dataset's images (`rows x columns` each).
    /// - Throws: `ReportError.encoding`, or the dataset's error when an image is not in it.
    func encodedSheets(_ splits: [Split: LabeledImages]) throws -> [Data] {
        guard let any = splits.values.first else { return [] }
        let rows = any.rows, columns = any.columns
        return try (0..<sheetCount).map { sheet in
            let first = sheet * Self.tilesPerSheet
            let count = min(Self.tilesPerSheet, images.count - first)
            let across = min(Self.tilesPerSide, count), down = (count + Self.tilesPerSide - 1) / Self.tilesPerSide
            let width = across * columns, height = down * rows
            var pixels = [UInt8](repeating: 0, count: width * height)
            for position in 0..<count {
                let key = images[first + position]
                guard let source = splits[key.split], key.index < source.count else {
                    throw ReportError.unreadable("image \(key.index) of the \(key.split.rawValue) split is not in the dataset")
                }
                let image = Array(source.image(key.index))
                let x0 = (position % Self.tilesPerSide) * columns, y0 = (position / Self.tilesPerSide) * rows
                for y in 0..<rows {
                    pixels.replaceSubrange((y0 + y) * width + x0..<(y0 + y) * width + x0 + columns,
                                           with: image[y * columns..<(y + 1) * columns])
                }
            }
            return try PNGImage(width: width, height: height, pixels: pixels).encoded()
        }
    }
}
