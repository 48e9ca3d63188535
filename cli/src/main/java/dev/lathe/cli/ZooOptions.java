package dev.lathe.cli;

import picocli.CommandLine.Option;

/** The input size and class count of a zoo model, shared by the commands that build one from a name. */
final class ZooOptions {
    @Option(names = "--input", split = ",", paramLabel = "C,H,W", description = "Input channels,height,width of a zoo model (default: 3,224,224; 3,32,32 for -mini).")
    int[] input;

    @Option(names = "--classes", description = "Classes of a zoo model (default: 1000; 10 for -mini).")
    Integer classes;
}
