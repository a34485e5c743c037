using Mall.WeChatSandbox;

return await SandboxCommandLine.RunAsync(args);
