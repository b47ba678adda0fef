import Foundation
import Testing
import Training

@Suite struct ResidentMemoryTests {
  /// VmHWM is read in bytes, sees a freed 64 MiB buffer, and can be reset to the current size.
  @Test func peakSeesAFreedBufferAndCanBeReset() {
    let size = 64 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    memset(buffer, 1, size)  // touch every page, so it is resident
    buffer.deallocate()      // glibc returns a block this large to the kernel at once
    let peak = ResidentMemory.peakBytes()
    #expect(peak >= ResidentMemory.currentBytes() + size / 2)
    #expect(ResidentMemory.resetPeak())
    #expect(ResidentMemory.peakBytes() < peak - size / 2)
  }
}
