import CDNNL

#if canImport(Glibc)
import Glibc
#endif

/// oneDNN (Debian `libdnnl-dev` 2.6, the library behind PyTorch's CPU convolutions): the CPU
/// engine every primitive runs on, status checks and the thread count of its OpenMP pool.
///
/// oneDNN serves the convolution geometries where it measured faster than im2col + OpenBLAS
/// (`Conv2dAlgorithm.preferred`); the OpenBLAS kernels stay the reference it is tested against.
public enum OneDNN {
  /// The CPU engine, created on first use.
  nonisolated(unsafe) static let engine: dnnl_engine_t = {
    var engine: dnnl_engine_t?
    check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the CPU engine")
    return engine!
  }()

  /// The instruction set oneDNN dispatches to on this CPU ("AVX2", "AVX-512", …).
  public static var instructionSet: String {
    switch dnnl_get_effective_cpu_isa() {
    case dnnl_cpu_isa_sse41: return "SSE4.1"
    case dnnl_cpu_isa_avx: return "AVX"
    case dnnl_cpu_isa_avx2: return "AVX2"
    case dnnl_cpu_isa_avx512_core: return "AVX-512"
    default: return "AVX-512 or newer (\(dnnl_get_effective_cpu_isa().rawValue))"
    }
  }

  /// Stops with oneDNN's reason when a call fails. Every call here gets shapes we validated, so a
  /// failure is a bug or an exhausted machine, never bad user input.
  static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
    guard status != dnnl_success else { return }
    preconditionFailure("oneDNN failed \(what()): \(describe(status))")
  }

  /// Whether `status` is success; for calls whose failure means "not supported here" (the
  /// caller then falls back to the OpenBLAS kernels).
  static func succeeded(_ status: dnnl_status_t) -> Bool { status == dnnl_success }

  static func describe(_ status: dnnl_status_t) -> String {
    switch status {
    case dnnl_out_of_memory: return "out of memory"
    case dnnl_invalid_arguments: return "invalid arguments"
    case dnnl_unimplemented: return "no implementation for these shapes"
    case dnnl_runtime_error: return "runtime error"
    default: return "status \(status.rawValue)"
    }
  }

  /// A descriptor of `dims` in layout `tag` (`dnnl_format_tag_any` lets a primitive choose).
  static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
    var descriptor = dnnl_memory_desc_t()
    check(dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), self.dims(dims), dnnl_f32, tag),
          "describing a tensor of shape \(dims)")
    return descriptor
  }

  /// Primitive attributes asking for a user-managed scratchpad: oneDNN's own (library) scratchpad
  /// is shared by all primitives and unsafe when two threads execute at once (test suites run
  /// convolutions concurrently), and ours comes from the convolution workspace, which the
  /// memory ledger counts.
  nonisolated(unsafe) static let userScratchpad: dnnl_primitive_attr_t = {
    var attributes: dnnl_primitive_attr_t?
    check(dnnl_primitive_attr_create(&attributes), "creating primitive attributes")
    check(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user),
          "asking for a user scratchpad")
    return attributes!
  }()

  /// Runs `primitive` with `arguments` (oneDNN argument id, buffer, its descriptor) on `stream`
  /// and waits for it.
  static func execute(
    _ primitive: dnnl_primitive_t, on stream: dnnl_stream_t,
    _ arguments: [(Int32, UnsafeMutableRawPointer, dnnl_memory_desc_t)], _ what: String
  ) {
    var memories: [dnnl_memory_t?] = []
    memories.reserveCapacity(arguments.count)
    defer { for memory in memories { dnnl_memory_destroy(memory) } }
    var execArguments: [dnnl_exec_arg_t] = []
    for (id, pointer, descriptor) in arguments {
      var memory: dnnl_memory_t?
      var descriptor = descriptor
      check(dnnl_memory_create(&memory, &descriptor, engine, pointer), "wrapping a buffer for \(what)")
      memories.append(memory)
      execArguments.append(dnnl_exec_arg_t(arg: id, memory: memory))
    }
    OpenMPTeam.useThreadCount()
    check(dnnl_primitive_execute(primitive, stream, Int32(execArguments.count), &execArguments),
          what)
    check(dnnl_stream_wait(stream), "waiting for \(what)")
  }
}

extension OneDNN {
  /// The oneDNN implementation that serves `geometry` ("jit:avx2", "jit_1x1:avx2",
  /// "jit_dw:avx2", "gemm:jit", …), or nil when oneDNN cannot compute it and `.oneDNN` falls back
  /// to the OpenBLAS kernels.
  public static func convolutionImplementation(for geometry: Conv2dGeometry) -> String? {
    OneDNNConvolution.shared(for: geometry)?.implementation
  }
}

/// A oneDNN primitive with the scratchpad it asks for (user-managed: see `OneDNN.userScratchpad`).
struct OneDNNPrimitive: @unchecked Sendable {
  let primitive: dnnl_primitive_t
  private let scratchpad: dnnl_memory_desc_t
  /// Scratchpad Floats, taken from the convolution workspace at each run.
  let scratchpadFloats: Int

  /// Builds the primitive `descriptor` describes (created with `OneDNN.userScratchpad`).
  init(_ descriptor: dnnl_primitive_desc_t, _ what: @autoclosure () -> String) {
    var primitive: dnnl_primitive_t?
    OneDNN.check(dnnl_primitive_create(&primitive, descriptor), "building \(what())")
    self.primitive = primitive!
    var scratchpad = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0).pointee
    self.scratchpad = scratchpad
    scratchpadFloats = (dnnl_memory_desc_get_size(&scratchpad) + 3) / 4
  }

  /// Executes with `arguments` plus a scratchpad from `scratch`, and waits.
  func run(
    on stream: dnnl_stream_t, _ arguments: [(Int32, UnsafeMutableRawPointer, dnnl_memory_desc_t)],
    scratch: inout ScratchCursor, _ what: String
  ) {
    var arguments = arguments
    if scratchpadFloats > 0 {
      arguments.append((DNNL_ARG_SCRATCHPAD, UnsafeMutableRawPointer(scratch.floats(scratchpadFloats)),
                        scratchpad))
    }
    OneDNN.execute(primitive, on: stream, arguments, what)
  }
}
