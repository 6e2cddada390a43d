// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
  name: "mailtrace",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "mailtrace", targets: ["mailtrace"]),
    // For the fuzz targets in FuzzTesting/ (a package of its own).
    .library(name: "MailLog", targets: ["MailLog"]),
    .library(name: "MailStore", targets: ["MailStore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
  ],
  targets: [
    // zlib from the system (zlib1g-dev), wrapped in a few inline functions.
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    // SQLite's variadic configuration calls, for the hardened `sql` connection.
    .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
    // Bytes in, typed events out. No I/O, no database, no Foundation.
    .target(name: "MailLog", swiftSettings: strict),
    // Archives (rotation order, gzip, year inference, fingerprints) and the SQLite store.
    .target(
      name: "MailStore",
      dependencies: [
        "MailLog", "CZlib", "CSQLite",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    // The forensic questions, as SQL and Swift over the store.
    .target(
      name: "Forensics",
      dependencies: ["MailStore", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: strict),
    // HTML and SVG rendering of Forensics results; templates compiled in as string literals.
    .target(
      name: "Report",
      dependencies: [
        "Forensics", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Mustache", package: "swift-mustache"),
      ],
      swiftSettings: strict),
    // Synthetic outbreaks and their ground truth; depends on nothing of ours.
    .target(name: "Simulation", dependencies: ["CZlib"], swiftSettings: strict),
    .executableTarget(
      name: "mailtrace",
      dependencies: [
        "MailStore", "Forensics", "Report", "Simulation",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    // Test-only helpers shared by the test targets that run the executable.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "MailLogTests", dependencies: ["MailLog"]),
    .testTarget(
      name: "MailStoreTests",
      dependencies: ["MailStore", "MailLog", "CZlib", .product(name: "GRDB", package: "GRDB.swift")]),
    .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
    .testTarget(
      name: "ForensicsTests",
      dependencies: [
        "Forensics", "MailStore", "Simulation", "TestSupport",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .testTarget(
      name: "ReportTests",
      dependencies: [
        "Report", "Forensics", "MailStore", "TestSupport",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .testTarget(
      name: "IntegrationTests",
      dependencies: ["TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
  ]
)
