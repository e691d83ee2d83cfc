package provider

import "os"

// QuietSDKLogs turns the plugin SDK's trace logging off when the user asked Terraform
// for no logs: encoding those lines costs a fifth of the provider's CPU and Terraform
// throws them away (tools/bench/RESULTS.md). Asking for logs (TF_LOG, TF_LOG_PROVIDER,
// TF_LOG_PATH) or setting the SDK's own variables keeps them. Call it before serving.
func QuietSDKLogs() {
	for _, k := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PATH"} {
		if os.Getenv(k) != "" {
			return
		}
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(k) == "" {
			_ = os.Setenv(k, "off")
		}
	}
}
