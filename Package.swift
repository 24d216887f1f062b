// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "bkfix",
    products: [
        .executable(name: "bkfix", targets: ["BKFixCLI"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(
            name: "BKFix",
            dependencies: ["CLibGit2", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "BKFixCLI",
            dependencies: ["BKFix", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "BKFixTests",
            dependencies: ["BKFix", "BKFixCLI"],
            exclude: ["Fixtures"]
        ),
    ]
)
