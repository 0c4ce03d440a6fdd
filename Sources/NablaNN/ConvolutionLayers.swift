import Nabla

/// A 2-D convolution layer, like `torch.nn.Conv2d`: `weight` `[out, in / groups, kH, kW]`
/// and `bias` `[out]`, so checkpoints carry over to PyTorch unchanged.
public final class Conv2d: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int

    /// A layer initialised as PyTorch does: weight and bias from U(−1/√fanIn, 1/√fanIn)
    /// (Kaiming-uniform with a = √5), fanIn = (inChannels / groups)·kH·kW, drawn from `generator`.
    public convenience init(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
                            dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator) {
        guard inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0 else {
            Nabla.fail("Conv2d: channels (\(inChannels), \(outChannels)) and kernel size \(kernelSize) must be positive")
        }
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            Nabla.fail("Conv2d: in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))")
        }
        let bound = 1 / Float(inChannels / groups * kernelSize.height * kernelSize.width).squareRoot()
        let weight = Tensor.uniform([outChannels, inChannels / groups, kernelSize.height, kernelSize.width], low: -bound, high: bound, generator: &generator)
        let biasValue = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, generator: &generator) : nil
        self.init(weight: weight, bias: biasValue, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public init(weight: Tensor, bias: Tensor?, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1) {
        guard weight.rank == 4 else { Nabla.fail("Conv2d: weight must be [out, in, kH, kW], got \(weight.shape)") }
        if let bias, bias.shape != [weight.shape[0]] { Nabla.fail("Conv2d: bias must be [\(weight.shape[0])], got \(bias.shape)") }
        guard groups > 0, weight.shape[0] % groups == 0 else {
            Nabla.fail("Conv2d: out_channels (\(weight.shape[0])) must be divisible by groups (\(groups))")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map(Parameter.init)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { $0.conv2d(weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, groups: groups) }
    }
}

/// `torch.nn.MaxPool2d`; `stride` defaults to the kernel size.
public final class MaxPool2d: Module {
    public let kernelSize: Size2D, stride: Size2D?, padding: Size2D, dilation: Size2D, ceilMode: Bool

    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { $0.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode) }
    }
}

/// `torch.nn.AvgPool2d`; `stride` defaults to the kernel size.
public final class AvgPool2d: Module {
    public let kernelSize: Size2D, stride: Size2D?, padding: Size2D, countIncludePad: Bool, ceilMode: Bool

    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludePad: Bool = true, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.countIncludePad = countIncludePad
        self.ceilMode = ceilMode
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        withHooks(input) { $0.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad, ceilMode: ceilMode) }
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
