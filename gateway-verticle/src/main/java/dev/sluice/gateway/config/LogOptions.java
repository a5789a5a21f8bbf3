package dev.sluice.gateway.config;

public record LogOptions(LogFormat format, boolean access) {
}
