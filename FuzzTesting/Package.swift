// swift-tools-version:5.3
// The fuzz targets: a package of its own, so that `swift build` with
// `-sanitize=fuzzer` builds them as plain executables (a 5.3 manifest infers an
// executable from `main.swift` and keeps its entry point as written, which
// libFuzzer needs). See README.md.
import PackageDescription

let package = Package(
  name: "FuzzTesting",
  dependencies: [
    .package(name: "mailtrace", path: "..")
  ],
  targets: [
    .target(
      name: "FuzzMailLine",
      dependencies: [.product(name: "MailLog", package: "mailtrace")]),
    .target(
      name: "FuzzLogFile",
      dependencies: [.product(name: "MailStore", package: "mailtrace")]),
  ]
)
