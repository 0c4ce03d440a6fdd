import Nabla

/// One image, or a grid of images with a caption under each, as fastai's
/// `show_image` and `show_images`: a batch of digits with their labels and predictions.
///
/// ```swift
/// let grid = ImageGrid(batch, captions: labels.map { "label \($0)" }, columns: 8, title: "Training 3s and 7s")
/// try grid.write(to: "digits.png", width: 640, height: 200)
/// ```
public struct ImageGrid: Panel {
    /// Each image's height and width.
    public let imageHeight: Int
    public let imageWidth: Int
    /// Each image's pixels, row by row.
    public let images: [[Float]]
    /// A caption under each image ("" for none); fewer captions than images leave the rest bare.
    public var captions: [String]
    /// Images per row; nil makes the grid as square as the images allow.
    public var columns: Int?
    public var title: String
    public var colorMap: ColorMap
    /// The values drawn at the two ends of the colour map.
    public var range: ClosedRange<Float>

    /// A grid of the images of `batch`, of shape `[N, H, W]` (or one image `[H, W]`);
    /// values outside `range` (default 0...1, the pixels NablaData loads) are clamped.
    public init(_ batch: Tensor, captions: [String] = [], columns: Int? = nil, title: String = "",
                colorMap: ColorMap = .greys, range: ClosedRange<Float> = 0...1) {
        require(batch.rank == 2 || batch.rank == 3,
                     "ImageGrid: expected images of shape [N, H, W] or one image [H, W], got \(batch.shape)")
        let stack = batch.rank == 2 ? batch.reshape([1] + batch.shape) : batch
        let (count, height, width) = (stack.shape[0], stack.shape[1], stack.shape[2])
        require(height > 0 && width > 0, "ImageGrid: images of shape \(batch.shape) have no pixels")
        let scalars = stack.scalars
        images = (0..<count).map { Array(scalars[($0 * height * width)..<(($0 + 1) * height * width)]) }
        imageHeight = height
        imageWidth = width
        require(captions.count <= count, "ImageGrid: \(captions.count) captions for \(count) images")
        self.captions = captions
        self.columns = columns
        self.title = title
        self.colorMap = colorMap
        self.range = range
    }

    /// Columns and rows of the grid.
    var gridSize: (columns: Int, rows: Int) {
        let count = max(images.count, 1)
        let columns = min(max(self.columns ?? Int(Double(count).squareRoot().rounded(.up)), 1), count)
        return (columns, (count + columns - 1) / columns)
    }

    private var hasCaptions: Bool { captions.contains { !$0.isEmpty } }

    /// The rectangle each image is drawn in when the grid fills `frame`: square pixels, centred.
    func imageFrames(in frame: Rect) -> [Rect] {
        let area = (title.isEmpty ? frame : frame.inset(left: 0, top: 28, right: 0, bottom: 0)).inset(left: 4, top: 4, right: 4, bottom: 4)
        let (columns, rows) = gridSize
        let gap = 6.0, captionHeight = hasCaptions ? 16.0 : 0
        let cellWidth = (area.width - gap * Double(columns - 1)) / Double(columns)
        let cellHeight = (area.height - gap * Double(rows - 1)) / Double(rows) - captionHeight
        let pixel = max(0, min(cellWidth / Double(imageWidth), cellHeight / Double(imageHeight)))
        let (w, h) = (pixel * Double(imageWidth), pixel * Double(imageHeight))
        let gridWidth = w * Double(columns) + gap * Double(columns - 1)
        let gridHeight = (h + captionHeight) * Double(rows) + gap * Double(rows - 1)
        let origin = Point(area.x + (area.width - gridWidth) / 2, area.y + (area.height - gridHeight) / 2)
        return images.indices.map { i in
            Rect(x: origin.x + Double(i % columns) * (w + gap), y: origin.y + Double(i / columns) * (h + captionHeight + gap),
                 width: w, height: h)
        }
    }

    public func draw(in frame: Rect, on canvas: inout Canvas) {
        _ = drawTitle(title, in: frame, on: &canvas)
        for (i, rect) in imageFrames(in: frame).enumerated() {
            canvas.add(.image(rasterImage(images[i], width: imageWidth, height: imageHeight, range: range, colorMap: colorMap), in: rect))
            if i < captions.count {
                canvas.text(captions[i], at: Point(rect.x + rect.width / 2, rect.maxY + 9), TextStyle(size: FontSize.caption))
            }
        }
    }
}
