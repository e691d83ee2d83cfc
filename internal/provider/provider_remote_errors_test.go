package provider

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sslkit/terraform-provider-ssl/internal/server"
)

// In remote mode the three ways a request can fail read differently: a server that
// does not answer, a token it refuses, and an operation the service refuses.
func TestAccProvider_remoteErrorsDistinguished(t *testing.T) {
	env := newTestEnv(t)
	const token = "scoped-token-0123456789abcdef"
	tokens, err := server.ParseTokens(token + " projects=web\n")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(env.backend, server.Config{Listen: "127.0.0.1:0", Tokens: tokens, EvaluateEvery: -1})
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()

	block := func(endpoint, tok string) string {
		return fmt.Sprintf("provider \"ssl\" {\n  endpoint    = %q\n  token       = %q\n  max_retries = 1\n}\n", endpoint, tok)
	}
	leaf := newLeaf(t, "remote-errors.example.test")
	upload := fmt.Sprintf(`
resource "ssl_certificate_upload" "x" {
  name            = "x"
  project         = "billing"
  certificate_pem = %q
  private_key_pem = %q
}
`, leaf.FullChainPEM(), leaf.KeyPEM(t, ""))
	list := "data \"ssl_certificates\" \"all\" {}\n"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"ssl": providerserver.NewProtocol6WithError(New("test")()),
		},
		Steps: []resource.TestStep{
			{Config: block("http://"+closed, token) + list, ExpectError: summary("Certificate Backend Unreachable")},
			{Config: block("http://"+srv.Addr(), "wrong-token-0123456789abcdef") + list, ExpectError: summary("Token Refused")},
			// A project outside the token's scope: refused by the server, as not found.
			{Config: block("http://"+srv.Addr(), token) + upload, ExpectError: summary("Project Not Found")},
		},
	})
}
