#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin names over libm so kernels need not import Foundation.
@inline(__always) func Foundation_log(_ x: Double) -> Double { log(x) }
@inline(__always) func Foundation_cos(_ x: Double) -> Double { cos(x) }
@inlinable @inline(__always) public func expf32(_ x: Float) -> Float { expf(x) }
@inlinable @inline(__always) public func logf32(_ x: Float) -> Float { logf(x) }
