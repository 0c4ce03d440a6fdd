import Foundation

/// One line of the runner's table: a workload at one thread count on both
/// backends, against a direct CBLAS call and the machine's limit.
public struct ResultRow: Codable {
    public let threads: Int
    public let kind: WorkloadKind
    public let op: String
    public let shape: String
    public let unit: WorkloadUnit
    public let blas: Double
    public let reference: Double
    public let blasSeconds: Double
    public let referenceSeconds: Double
    /// The smaller shape the reference figure was measured on, when the row's own is hopeless there.
    public let referenceShape: String?
    /// Reference time over BLAS time (over a stand-in shape: BLAS's rate over the reference's).
    public let speedup: Double
    /// The direct call's routine and figure, for products.
    public let directRoutine: String?
    public let direct: Double?
    /// Nabla's BLAS path as a percentage of the direct call's speed.
    public let percentOfDirect: Double?
    /// What `percentOfLimit` measures against.
    public let limit: WorkloadLimit?
    public let percentOfLimit: Double?
    /// NumPy's figure for the same work, and its time as a percentage of Nabla's BLAS time
    /// (above 100: Nabla is faster).
    public let numpy: Double?
    public let percentOfNumPy: Double?

    public init(threads: Int, workload: Workload, blasSeconds: Double, referenceSeconds: Double,
                directSeconds: Double?, directRoutine: String?, limits: MachineLimits, numpySeconds: Double? = nil) {
        self.threads = threads
        kind = workload.kind; op = workload.op; shape = workload.shape; unit = workload.unit
        blas = workload.figure(seconds: blasSeconds)
        let standIn = workload.referenceStandIn?.workload
        reference = (standIn ?? workload).figure(seconds: referenceSeconds)
        referenceShape = standIn?.shape
        self.blasSeconds = blasSeconds
        self.referenceSeconds = referenceSeconds
        speedup = standIn == nil ? referenceSeconds / blasSeconds : blas / reference
        self.directRoutine = directRoutine
        direct = directSeconds.map { workload.figure(seconds: $0) }
        percentOfDirect = directSeconds.map { 100 * $0 / blasSeconds }
        limit = workload.limit
        percentOfLimit = workload.fractionOfLimit(seconds: blasSeconds, limits: limits).map { 100 * $0 }
        numpy = numpySeconds.map { workload.figure(seconds: $0) }
        percentOfNumPy = numpySeconds.map { 100 * $0 / blasSeconds }
    }
}

/// A target from the benchmark issue, checked against this run's figures.
public struct TargetCheck: Codable {
    public let target: String
    public let measured: String
    public let met: Bool
}

/// Everything one run of the runner measured: what the table and the JSON show.
public struct BenchReport: Codable {
    public let date: String
    public let quick: Bool
    public let cpu: String
    public let logicalCPUs: Int
    public let openBLAS: OpenBLASInfo
    /// OPENBLAS_CORETYPE as set in the environment, if it is.
    public let openBLASCoreTypeVariable: String?
    public let limits: [MachineLimits]
    public let rows: [ResultRow]
    public let lesson: LessonComparison?
    /// conv2d on the ten-digit CNN's shapes and one CNN epoch, against PyTorch.
    public let convolution: ConvolutionComparison?
    public let targets: [TargetCheck]
    public let seconds: Double
    /// The one-minute load average when the run started and when it ended.
    public let loadAverage: [Double]
    /// Why a comparison (NumPy's) is missing, when it is.
    public let notes: [String]
    /// The lesson's two models' BLAS floors, and the net's steady-state step, when measured.
    public var lessonFloors: LessonFloors?
    public var steadyState: [SteadyStateStep] = []

    public init(date: String, quick: Bool, cpu: String, logicalCPUs: Int, openBLAS: OpenBLASInfo,
                openBLASCoreTypeVariable: String?, limits: [MachineLimits], rows: [ResultRow],
                lesson: LessonComparison?, convolution: ConvolutionComparison? = nil, targets: [TargetCheck],
                seconds: Double, loadAverage: [Double], notes: [String] = []) {
        self.date = date; self.quick = quick; self.cpu = cpu; self.logicalCPUs = logicalCPUs
        self.openBLAS = openBLAS; self.openBLASCoreTypeVariable = openBLASCoreTypeVariable
        self.limits = limits; self.rows = rows; self.lesson = lesson; self.convolution = convolution; self.targets = targets
        self.seconds = seconds; self.loadAverage = loadAverage; self.notes = notes
    }

    /// Writes the report as pretty JSON, atomically (temporary file, then rename).
    public func writeJSON(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
