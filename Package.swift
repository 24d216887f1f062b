// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "bkfix",
    products: [
        .executable(name: "bkfix", targets: ["BKFixCLI"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Runs scripts/embed.sh before every build: playbooks/, cases/ and the git commit become Swift source.
        .plugin(name: "EmbedDefinitions", capability: .buildTool()),
        .target(
            name: "BKFix",
            dependencies: ["CLibGit2", .product(name: "Yams", package: "Yams")],
            plugins: ["EmbedDefinitions"]
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
