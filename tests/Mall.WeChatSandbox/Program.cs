using Mall.WeChat.Sandbox;

return await SandboxCommandLine.RunAsync(args);
