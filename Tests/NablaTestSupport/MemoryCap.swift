#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Caps this process's address space at what it maps now plus `extraBytes`
/// (`RLIMIT_AS`), so that code which would allocate more fails inside the test
/// (an allocation error, a crash of the forked copy) instead of taking the
/// machine's memory. Call it in the forked copy that ``outcome(of:)`` runs, never
/// in the test process itself. Under AddressSanitizer, whose shadow memory maps
/// terabytes of address space, it does nothing (the sanitizer run's allocator
/// returns NULL for impossible sizes instead: `allocator_may_return_null=1`).
/// Returns whether the cap is set.
@discardableResult
public func capAddressSpace(extraBytes: Int) -> Bool {
    guard addressSpaceCapsApply else { return false }
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = Int(statm.split(separator: " ").first ?? "") else { return false }
    let limit = rlim_t(pages * Int(sysconf(Int32(_SC_PAGESIZE))) + extraBytes)
    var cap = rlimit(rlim_cur: limit, rlim_max: limit)
    return setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &cap) == 0
}

/// Whether an address-space cap can hold this process and the programs it starts:
/// not under AddressSanitizer, whose shadow memory maps terabytes of address space.
public var addressSpaceCapsApply: Bool {
    // A nil handle is RTLD_DEFAULT: the symbol is found when the ASan runtime is linked in.
    dlsym(nil, "__asan_init") == nil && getenv("ASAN_OPTIONS") == nil
}
