package dev.sluice.gateway.config;

public enum LogFormat { JSON, TEXT }
