import Foundation

extension Data {
  /// `withUnsafeBytes` for a body with typed throws: Foundation's version is `rethrows`, which
  /// erases the error type to `any Error`.
  func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws(DatasetError) -> T) throws(DatasetError) -> T {
    let result = withUnsafeBytes { raw in Result { () throws(DatasetError) -> T in try body(raw) } }
    return try result.get()
  }
}
