import Nabla

/// What a module's stored properties hold, found with `Mirror`: the default
/// `namedParameters`, `namedBuffers` and `namedChildren` of ``Module``.
///
/// Which properties can hold a parameter, a buffer or a module is decided once
/// per type, from the properties' types (so a `nil` optional or an empty array
/// is known for what it is) and remembered; each look then reads only those
/// properties' current values, so reassigning a `var` layer is seen.
struct ModuleStructure {
    var parameters: [(name: String, parameter: Parameter)] = []
    var buffers: [(name: String, buffer: Buffer)] = []
    var children: [(name: String, module: any Module)] = []

    /// The structure of `module` now.
    static func of(_ module: any Module) -> ModuleStructure {
        let fields = storedFields(of: module)
        let slots = slotsByType.withLock { $0[ObjectIdentifier(type(of: module))] } ?? {
            let found = discoverSlots(module, fields)
            slotsByType.withLock { $0[ObjectIdentifier(type(of: module))] = found }
            return found
        }()
        var structure = ModuleStructure()
        for slot in slots { structure.collect(fields[slot.field].value, as: slot.kind, name: slot.name) }
        return structure
    }

    /// One property that can hold parameters, buffers or modules.
    struct SlotField: Sendable {
        let field: Int
        let name: String
        let kind: SlotKind
    }

    /// What a slot holds: a parameter, a buffer or a module, inside zero or more
    /// containers (outermost first). A flat value rather than an `indirect enum`,
    /// whose boxes LeakSanitizer reported leaked from the per-type cache.
    struct SlotKind: Sendable, Equatable {
        enum Leaf: Sendable { case parameter, buffer, module }
        enum Container: Sendable { case optional, array, dictionary }
        let leaf: Leaf
        var containers: [Container] = []

        static let parameter = SlotKind(leaf: .parameter)
        static let buffer = SlotKind(leaf: .buffer)
        static let module = SlotKind(leaf: .module)

        /// This kind inside one more container.
        func inside(_ container: Container) -> SlotKind {
            SlotKind(leaf: leaf, containers: [container] + containers)
        }
    }

    private static let slotsByType = Locked<[ObjectIdentifier: [SlotField]]>([:])

    /// The stored properties, the superclasses' first, as declared.
    private static func storedFields(of module: any Module) -> [(label: String, value: Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        while let current = mirror { mirrors.append(current); mirror = current.superclassMirror }
        return mirrors.reversed().flatMap { $0.children.map { (label: $0.label ?? "", value: $0.value) } }
    }

    /// Classifies every property of `module`'s type; stops, naming it, at a property
    /// that holds a parameter, a buffer or a module in a form that cannot be discovered.
    private static func discoverSlots(_ module: any Module, _ fields: [(label: String, value: Any)]) -> [SlotField] {
        let typeName = String(describing: type(of: module))
        return fields.enumerated().compactMap { index, field in
            // A property that is `lazy` is stored as `$__lazy_storage_$_name`.
            let name = field.label.hasPrefix("$__lazy_storage_$_") ? String(field.label.dropFirst(18)) : field.label
            if let kind = slotKind(of: type(of: field.value)) ?? slotKind(ofValue: field.value) {
                return SlotField(field: index, name: name, kind: kind)
            }
            if let problem = hiddenState(in: field.value, depth: 0) {
                Nabla.fail("""
                    \(typeName).\(name): \(problem), which Module cannot discover, so it would not be trained, saved \
                    or switched by train()/eval(). Store it as a Parameter, a Buffer, a module, an optional or an array \
                    or [String: …] dictionary of them, or implement namedParameters/namedBuffers/namedChildren/setTraining \
                    for \(typeName) yourself
                    """)
            }
            return nil
        }
    }

    /// The kind of slot a property of this static type is, or nil if it holds none.
    private static func slotKind(of type: Any.Type) -> SlotKind? {
        if type == Parameter.self { return .parameter }
        if type == Buffer.self { return .buffer }
        if type is any Module.Type || type == (any Module).self { return .module }
        if let optional = type as? any OptionalSlot.Type { return slotKind(of: optional.wrappedType).map { $0.inside(.optional) } }
        if let array = type as? any ArraySlot.Type { return slotKind(of: array.elementType).map { $0.inside(.array) } }
        if let dictionary = type as? any StringKeyedSlot.Type { return slotKind(of: dictionary.valueType).map { $0.inside(.dictionary) } }
        return nil
    }

    /// The kind of slot a property declared with an existential or `Any` type
    /// (`[any MyLayer]`, `Any`) is, judged from the value it holds now.
    private static func slotKind(ofValue value: Any) -> SlotKind? {
        if let optional = value as? any OptionalSlot {
            return optional.wrappedValue.flatMap { slotKind(of: type(of: $0)) ?? slotKind(ofValue: $0) }.map { $0.inside(.optional) }
        }
        if let array = value as? any ArraySlot, !array.elements.isEmpty {
            let kinds = array.elements.map { slotKind(of: type(of: $0)) ?? slotKind(ofValue: $0) }
            if let first = kinds[0], kinds.allSatisfy({ $0 != nil }) { return first.inside(.array) }
        }
        if let dictionary = value as? any StringKeyedSlot, !dictionary.entries.isEmpty {
            let kinds = dictionary.entries.map { slotKind(of: type(of: $0.value)) ?? slotKind(ofValue: $0.value) }
            if let first = kinds[0], kinds.allSatisfy({ $0 != nil }) { return first.inside(.dictionary) }
        }
        return nil
    }

    /// What in `value` (not a slot) would be lost: a parameter, buffer or module
    /// inside it, or a tensor that requires grad; nil when there is none.
    private static func hiddenState(in value: Any, depth: Int) -> String? {
        if let tensor = value as? Tensor {
            return tensor.requiresGrad ? "a Tensor that requires grad (wrap it in Parameter(…))" : nil
        }
        if value is Parameter || value is Buffer || value is any Module {
            return "a \(type(of: value)) inside a \(depth == 0 ? "value" : "container") of another kind"
        }
        // Class instances other than modules are not entered: they may be shared or cyclic.
        guard depth < 8, !(type(of: value) is AnyClass) else { return nil }
        let mirror = Mirror(reflecting: value)
        for child in mirror.children {
            if let problem = hiddenState(in: child.value, depth: depth + 1) {
                return depth == 0 ? "a \(type(of: value)) holding \(problem)" : problem
            }
        }
        return nil
    }

    /// Adds what `value` holds now to the structure, under `name`.
    private mutating func collect(_ value: Any, as kind: SlotKind, name: String) {
        guard let container = kind.containers.first else {
            switch kind.leaf {
            case .parameter:
                if let parameter = value as? Parameter { parameters.append((name, parameter)) }
            case .buffer:
                if let buffer = value as? Buffer { buffers.append((name, buffer)) }
            case .module:
                if let module = value as? any Module { children.append((name, module)) }
            }
            return
        }
        let element = SlotKind(leaf: kind.leaf, containers: Array(kind.containers.dropFirst()))
        switch container {
        case .optional:
            if let some = (value as? any OptionalSlot)?.wrappedValue { collect(some, as: element, name: name) }
        case .array:
            for (index, item) in ((value as? any ArraySlot)?.elements ?? []).enumerated() {
                collect(item, as: element, name: "\(name).\(index)")
            }
        case .dictionary:
            for (key, item) in ((value as? any StringKeyedSlot)?.entries ?? []) {
                collect(item, as: element, name: "\(name).\(key)")
            }
        }
    }
}

/// `Optional`, `Array` and `[String: V]` seen without their generic parameters.
private protocol OptionalSlot {
    static var wrappedType: Any.Type { get }
    var wrappedValue: Any? { get }
}

private protocol ArraySlot {
    static var elementType: Any.Type { get }
    var elements: [Any] { get }
}

private protocol StringKeyedSlot {
    static var valueType: Any.Type { get }
    /// In key order, for names that do not depend on hashing.
    var entries: [(key: String, value: Any)] { get }
}

extension Optional: OptionalSlot {
    static var wrappedType: Any.Type { Wrapped.self }
    var wrappedValue: Any? { map { $0 } }
}

extension Array: ArraySlot {
    static var elementType: Any.Type { Element.self }
    var elements: [Any] { map { $0 } }
}

extension Dictionary: StringKeyedSlot where Key == String {
    static var valueType: Any.Type { Value.self }
    var entries: [(key: String, value: Any)] { sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}
