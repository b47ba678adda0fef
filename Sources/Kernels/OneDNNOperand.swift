import CDNNL

/// One tensor operand of a oneDNN primitive: our plain layout (NCHW, OIHW) and the layout the
/// primitive chose. When they differ, `into` reorders our buffer into scratch before the call and
/// `back` reorders a result out of scratch after it; when they agree both are free.
struct OneDNNOperand: @unchecked Sendable {
  let plain: dnnl_memory_desc_t
  let chosen: dnnl_memory_desc_t
  private let toChosen: OneDNNPrimitive?
  private let toPlain: OneDNNPrimitive?
  /// Scratch this operand needs: its copy in the chosen layout and the reorders' scratchpads
  /// (0 when it is our layout already).
  let scratchFloats: Int

  init(plain: dnnl_memory_desc_t, chosen: dnnl_memory_desc_t) {
    self.plain = plain
    self.chosen = chosen
    var plainCopy = plain, chosenCopy = chosen
    guard dnnl_memory_desc_equal(&plainCopy, &chosenCopy) == 0 else {
      toChosen = nil
      toPlain = nil
      scratchFloats = 0
      return
    }
    let toChosen = OneDNNOperand.reorder(from: plain, to: chosen)
    let toPlain = OneDNNOperand.reorder(from: chosen, to: plain)
    self.toChosen = toChosen
    self.toPlain = toPlain
    chosenFloats = (dnnl_memory_desc_get_size(&chosenCopy) + 3) / 4
    scratchFloats = chosenFloats + max(toChosen.scratchpadFloats, toPlain.scratchpadFloats) + 32
  }

  /// Floats of the operand in the chosen layout.
  private var chosenFloats = 0

  private static func reorder(from: dnnl_memory_desc_t, to: dnnl_memory_desc_t) -> OneDNNPrimitive {
    var source = from, destination = to
    var descriptor: dnnl_primitive_desc_t?
    OneDNN.check(dnnl_reorder_primitive_desc_create(
      &descriptor, &source, OneDNN.engine, &destination, OneDNN.engine, OneDNN.userScratchpad),
      "planning a reorder")
    defer { dnnl_primitive_desc_destroy(descriptor) }
    return OneDNNPrimitive(descriptor!, "a reorder")
  }

  /// The buffer the primitive reads: `buffer` itself, or a copy of it in the chosen layout.
  func into(
    _ buffer: UnsafeMutableRawPointer, scratch: inout ScratchCursor, stream: dnnl_stream_t
  ) -> UnsafeMutableRawPointer {
    guard let toChosen else { return buffer }
    let copy = UnsafeMutableRawPointer(scratch.floats(chosenFloats))
    toChosen.run(on: stream, [(DNNL_ARG_FROM, buffer, plain), (DNNL_ARG_TO, copy, chosen)],
                 scratch: &scratch, "reordering an operand")
    return copy
  }

  /// The buffer the primitive writes: `buffer` itself, or scratch to reorder `back` from.
  func target(_ buffer: UnsafeMutablePointer<Float>, scratch: inout ScratchCursor) -> UnsafeMutableRawPointer {
    toPlain == nil ? UnsafeMutableRawPointer(buffer) : UnsafeMutableRawPointer(scratch.floats(chosenFloats))
  }

  /// Moves a result written to `target`'s buffer into `buffer` (nothing when they are one).
  func back(from written: UnsafeMutableRawPointer, to buffer: UnsafeMutablePointer<Float>,
            scratch: inout ScratchCursor, stream: dnnl_stream_t) {
    guard let toPlain else { return }
    toPlain.run(on: stream,
                [(DNNL_ARG_FROM, written, chosen), (DNNL_ARG_TO, UnsafeMutableRawPointer(buffer), plain)],
                scratch: &scratch, "reordering a result")
  }
}

/// Hands out consecutive 64-byte aligned slices of a convolution workspace.
struct ScratchCursor {
  private let base: UnsafeMutablePointer<Float>
  private let capacity: Int
  private var used = 0

  /// Room for `floats` Floats in total, plus alignment.
  init(_ workspace: Conv2dWorkspace, floats: Int) {
    capacity = floats + 64
    base = workspace.floats(capacity)
  }

  /// The next `count` Floats (contents undefined).
  mutating func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
    let slice = base + used
    used += (count + 15) / 16 * 16
    precondition(used <= capacity, "oneDNN scratch plan too small: \(used) > \(capacity) floats")
    return slice
  }

  /// The next `count` Floats, zeroed.
  mutating func zeros(_ count: Int) -> UnsafeMutableRawPointer {
    let slice = floats(count)
    slice.initialize(repeating: 0, count: count)
    return UnsafeMutableRawPointer(slice)
  }
}

extension OneDNN {
  /// `values` as the array oneDNN reads as a `dnnl_dims_t` (its fixed size, zero-filled).
  ///
  /// An array, not the imported tuple: `&tuple.0` may hand C a copy of one element.
  static func dims(_ values: [Int]) -> [dnnl_dim_t] {
    precondition(values.count <= Int(DNNL_MAX_NDIMS), "oneDNN takes at most \(DNNL_MAX_NDIMS) dimensions")
    return values.map { dnnl_dim_t($0) }
      + [dnnl_dim_t](repeating: 0, count: Int(DNNL_MAX_NDIMS) - values.count)
  }
}
