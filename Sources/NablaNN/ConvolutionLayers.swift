import Nabla

/// A 2-D convolution layer, like `torch.nn.Conv2d` (groups = 1): `weight`
/// `[out, in, kH, kW]` and `bias` `[out]`, so checkpoints carry over to PyTorch unchanged.
public final class Conv2d: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Size2D, padding: Size2D, dilation: Size2D

    /// A layer initialised as PyTorch does: weight and bias from U(−1/√fanIn, 1/√fanIn)
    /// (Kaiming-uniform with a = √5), fanIn = inChannels·kH·kW, drawn from `generator`.
    public convenience init(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
                            dilation: Size2D = 1, bias: Bool = true, generator: inout RandomGenerator) {
        guard inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0 else {
            Nabla.fail("Conv2d: channels (\(inChannels), \(outChannels)) and kernel size \(kernelSize) must be positive")
        }
        let bound = 1 / Float(inChannels * kernelSize.height * kernelSize.width).squareRoot()
        let weight = Tensor.uniform([outChannels, inChannels, kernelSize.height, kernelSize.width], low: -bound, high: bound, generator: &generator)
        let biasValue = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, generator: &generator) : nil
        self.init(weight: weight, bias: biasValue, stride: stride, padding: padding, dilation: dilation)
    }

    public init(weight: Tensor, bias: Tensor?, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1) {
        guard weight.rank == 4 else { Nabla.fail("Conv2d: weight must be [out, in, kH, kW], got \(weight.shape)") }
        if let bias, bias.shape != [weight.shape[0]] { Nabla.fail("Conv2d: bias must be [\(weight.shape[0])], got \(bias.shape)") }
        self.weight = Parameter(weight)
        self.bias = bias.map(Parameter.init)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { $0.conv2d(weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation) }
    }
}

/// `torch.nn.MaxPool2d`; `stride` defaults to the kernel size.
public final class MaxPool2d: Module {
    public let kernelSize: Size2D, stride: Size2D?, padding: Size2D, dilation: Size2D

    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { $0.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation) }
    }
}

/// `torch.nn.AvgPool2d`; `stride` defaults to the kernel size.
public final class AvgPool2d: Module {
    public let kernelSize: Size2D, stride: Size2D?, padding: Size2D, countIncludePad: Bool

    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.countIncludePad = countIncludePad
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { $0.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad) }
    }
}

/// `torch.nn.AdaptiveAvgPool2d`: 1 is global average pooling.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: Size2D

    public init(outputSize: Size2D) { self.outputSize = outputSize }

    public func callAsFunction(_ input: Tensor) -> Tensor { withHooks(input) { $0.adaptiveAvgPool2d(outputSize: outputSize) } }
}

/// Merges the axes `startAxis...endAxis`, as `torch.nn.Flatten` (which keeps the batch axis by default).
public final class Flatten: Module {
    public let startAxis: Int, endAxis: Int

    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { withHooks(input) { $0.flatten(startAxis: startAxis, endAxis: endAxis) } }
}
