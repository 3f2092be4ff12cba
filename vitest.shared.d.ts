export declare const sharedConfig: import("vite").UserConfig;
//# sourceMappingURL=vitest.shared.d.ts.map