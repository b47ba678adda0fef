// swift-tools-version: 6.0
import PackageDescription

/// Numeric targets are optimised even in debug builds: unoptimised Swift runs tight Float loops
/// 10–100× slower, which would make the test suite crawl without testing anything more.
let numericSettings: [SwiftSetting] = [
  .unsafeFlags(["-O"], .when(configuration: .debug)),
  .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
  name: "mfd-repro",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "mfd", targets: ["mfd"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    // oneDNN has no pkg-config file on Debian: the module map links it by name.
    .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
    .systemLibrary(name: "CSystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .target(
      name: "Kernels", dependencies: ["CBLAS", "CDNNL"], swiftSettings: numericSettings,
      // Link against libopenblas.so.0 as usual, but load it from OpenBLAS's OpenMP build when
      // that is installed (Debian libopenblas0-openmp, same ABI): its threads are libgomp's team,
      // which oneDNN and our loops share (OpenMPTeam.swift). LD_LIBRARY_PATH still overrides.
      linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "/usr/lib/x86_64-linux-gnu/openblas-openmp"])]),
    .target(name: "AtomicFiles"),
    .target(
      name: "Datasets",
      dependencies: [
        "Kernels", "AtomicFiles", "CSystemZlib", "CTurboJPEG",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      swiftSettings: numericSettings
    ),
    .target(name: "Engine", dependencies: ["Kernels", "AtomicFiles"], swiftSettings: numericSettings),
    .target(name: "Models", dependencies: ["Engine"], swiftSettings: numericSettings),
    .target(
      name: "Pipeline",
      dependencies: ["Yams", "AtomicFiles", .product(name: "Crypto", package: "swift-crypto")]
    ),
    .target(
      name: "Training",
      dependencies: ["Models", "Engine", "Kernels", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: numericSettings
    ),
    .target(name: "Steps", dependencies: ["Pipeline", "Datasets", "Training", "Models", "Engine"],
            swiftSettings: numericSettings),
    .target(name: "Plots", dependencies: ["CPNG"]),
    .target(name: "Figures", dependencies: ["Plots", "AtomicFiles", "Pipeline", "Kernels", "Steps", "Datasets", "Training", "Models", "Engine"],
            swiftSettings: numericSettings),
    .target(name: "Benchmarks", dependencies: ["Models", "Engine", "Kernels", "Datasets"], swiftSettings: numericSettings),
    .executableTarget(
      name: "mfd",
      dependencies: [
        "Kernels", "Engine", "Models", "Benchmarks", "Datasets", "Training", "Steps", "Pipeline", "Plots", "Figures",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(name: "TestSupport", dependencies: ["Engine", "Kernels"], path: "Tests/TestSupport",
            swiftSettings: numericSettings),
    .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"],
                swiftSettings: numericSettings),
    .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"],
                exclude: ["Fixtures"], swiftSettings: numericSettings),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Kernels", "CSystemZlib", "CTurboJPEG",
                                                       .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                swiftSettings: numericSettings),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Engine", "Kernels"],
                swiftSettings: numericSettings),
    .testTarget(name: "StepsTests", dependencies: ["Steps", "Pipeline", "Datasets", "Training", "Models", "Engine", "TestSupport"],
                swiftSettings: numericSettings),
    .testTarget(name: "PipelineTests", dependencies: ["Pipeline"]),
    .testTarget(name: "PlotsTests", dependencies: ["Plots", "CPNG"]),
    .testTarget(name: "FiguresTests", dependencies: ["Figures", "Plots", "CPNG", "Datasets", "Training", "Models", "Engine", "Pipeline", "Steps", "TestSupport"],
                swiftSettings: numericSettings),
    .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"],
                exclude: ["Fixtures"], swiftSettings: numericSettings),
  ],
  swiftLanguageModes: [.v6]
)
