# A stand-in for a mail provider's OAuth 2.0 server (Microsoft's, Google's), which cannot run
# here: the token endpoint (RFC 6749 refresh grant, rotating each refresh token on use, as
# Microsoft does) and the introspection endpoint Dovecot asks about each access token. Every
# request it is given is written, one JSON line each, to the log named on its command line.
#   python3 oauth2_double.py PORT FIRST_REFRESH_TOKEN CLIENT_ID CLIENT_SECRET LOG
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

port, first_refresh, client_id, client_secret, log = sys.argv[1:6]
refresh_tokens = {first_refresh}
access_tokens = set()


class Provider(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
        with open(log, "a") as out:
            out.write(json.dumps({"path": self.path, "form": form}) + "\n")
        if self.path == "/token":
            body, status = self.token(form)
        else:
            body, status = {"active": form.get("token") in access_tokens, "username": "support"}, 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def token(self, form):
        if (form.get("client_id"), form.get("client_secret")) != (client_id, client_secret):
            return {"error": "invalid_client"}, 401
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in refresh_tokens:
            return {"error": "invalid_grant", "error_description": "the refresh token is unknown or used"}, 400
        refresh_tokens.discard(form["refresh_token"])
        issued = len(access_tokens) + 1
        access, rotated = f"access-{issued}", f"refresh-{issued + 1}"
        access_tokens.add(access)
        refresh_tokens.add(rotated)
        return {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": rotated}, 200

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(port)), Provider).serve_forever()
