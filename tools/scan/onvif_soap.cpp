#include "scan/onvif_soap.h"

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <sstream>

namespace focusmeter::scan::onvif {

namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

// Parses without network access, entities or DTDs: device replies are input
// from the network like any other.
Doc parse(const std::string& text) {
  if (text.empty() || text.size() > (std::size_t(4) << 20)) return nullptr;
  return Doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), "reply.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

bool named(const xmlNode* n, const char* local) {
  return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, reinterpret_cast<const xmlChar*>(local));
}

std::string content(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Every element named `local` below `n`, in document order.
void find_all(xmlNode* n, const char* local, std::vector<xmlNode*>& out) {
  for (xmlNode* c = n; c; c = c->next) {
    if (named(c, local)) out.push_back(c);
    find_all(c->children, local, out);
  }
}

xmlNode* find_first(xmlNode* n, const char* local) {
  std::vector<xmlNode*> all;
  find_all(n, local, all);
  return all.empty() ? nullptr : all.front();
}

std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

std::string escape(const std::string& s) {
  g_autofree gchar* e = g_markup_escape_text(s.c_str(), -1);
  return e;
}

std::string utc_now() {
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree gchar* text = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
  return text;
}

const char* const kSoapEnv = "http://www.w3.org/2003/05/soap-envelope";

}  // namespace

std::string password_digest(const std::string& nonce, const std::string& created, const std::string& password) {
  g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
  g_checksum_update(sha1, reinterpret_cast<const guchar*>(nonce.data()), nonce.size());
  g_checksum_update(sha1, reinterpret_cast<const guchar*>(created.data()), created.size());
  g_checksum_update(sha1, reinterpret_cast<const guchar*>(password.data()), password.size());
  guint8 digest[20];
  gsize len = sizeof digest;
  g_checksum_get_digest(sha1, digest, &len);
  g_autofree gchar* b64 = g_base64_encode(digest, len);
  return b64;
}

std::string envelope(const std::string& body, const std::string& user, const std::string& password) {
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:Envelope xmlns:s=\"" << kSoapEnv << "\">";
  if (!user.empty()) {
    std::string nonce(16, '\0');
    for (auto& c : nonce) c = static_cast<char>(g_random_int_range(0, 256));
    const std::string created = utc_now();
    g_autofree gchar* nonce_b64 = g_base64_encode(reinterpret_cast<const guchar*>(nonce.data()), nonce.size());
    out << "<s:Header><wsse:Security s:mustUnderstand=\"1\" "
           "xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" "
           "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">"
           "<wsse:UsernameToken><wsse:Username>"
        << escape(user)
        << "</wsse:Username><wsse:Password "
           "Type=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#"
           "PasswordDigest\">"
        << password_digest(nonce, created, password)
        << "</wsse:Password><wsse:Nonce "
           "EncodingType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#"
           "Base64Binary\">"
        << nonce_b64 << "</wsse:Nonce><wsu:Created>" << created
        << "</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>";
  }
  out << "<s:Body>" << body << "</s:Body></s:Envelope>";
  return out.str();
}

std::string get_capabilities_body() {
  return "<tds:GetCapabilities xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
         "<tds:Category>Media</tds:Category></tds:GetCapabilities>";
}

std::string get_profiles_body() { return "<trt:GetProfiles xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\"/>"; }

std::string get_stream_uri_body(const std::string& profile_token) {
  return "<trt:GetStreamUri xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "
         "xmlns:tt=\"http://www.onvif.org/ver10/schema\"><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
         "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>" +
         escape(profile_token) + "</trt:ProfileToken></trt:GetStreamUri>";
}

std::string probe_message(const std::string& message_id) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:Envelope xmlns:s=\"") + kSoapEnv +
         "\" xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
         "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\"><s:Header>"
         "<a:Action s:mustUnderstand=\"1\">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
         "<a:MessageID>" +
         escape(message_id) +
         "</a:MessageID><a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
         "</s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>";
}

Reply read_reply(const std::string& text) {
  Reply r;
  Doc doc = parse(text);
  if (!doc) return r;
  r.xml = true;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  xmlNode* fault = find_first(root, "Fault");
  if (!fault) return r;
  r.fault = true;
  // SOAP 1.2: Code/Subcode/Value "ter:NotAuthorized"; Reason/Text.
  std::vector<xmlNode*> values;
  find_all(fault->children, "Value", values);
  for (xmlNode* v : values) r.not_authorized |= content(v).find("NotAuthorized") != std::string::npos;
  if (xmlNode* reason = find_first(fault->children, "Text")) r.fault_reason = content(reason);
  if (r.fault_reason.empty())
    if (xmlNode* s = find_first(fault->children, "faultstring")) r.fault_reason = content(s);  // SOAP 1.1
  for (auto& c : r.fault_reason)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (r.fault_reason.size() > 200) r.fault_reason.resize(200);
  return r;
}

std::string media_xaddr(const std::string& text) {
  Doc doc = parse(text);
  if (!doc) return {};
  xmlNode* media = find_first(xmlDocGetRootElement(doc.get()), "Media");
  xmlNode* xaddr = media ? find_first(media->children, "XAddr") : nullptr;
  return xaddr ? content(xaddr) : "";
}

std::vector<std::string> profile_tokens(const std::string& text) {
  std::vector<std::string> tokens;
  Doc doc = parse(text);
  if (!doc) return tokens;
  std::vector<xmlNode*> profiles;
  find_all(xmlDocGetRootElement(doc.get()), "Profiles", profiles);
  for (xmlNode* p : profiles) {
    const std::string token = attribute(p, "token");
    if (!token.empty()) tokens.push_back(token);
  }
  return tokens;
}

std::string stream_uri(const std::string& text) {
  Doc doc = parse(text);
  if (!doc) return {};
  xmlNode* media_uri = find_first(xmlDocGetRootElement(doc.get()), "MediaUri");
  xmlNode* uri = media_uri ? find_first(media_uri->children, "Uri") : nullptr;
  return uri ? content(uri) : "";
}

std::vector<ProbeMatch> probe_matches(const std::string& text) {
  std::vector<ProbeMatch> out;
  Doc doc = parse(text);
  if (!doc) return out;
  std::vector<xmlNode*> matches;
  find_all(xmlDocGetRootElement(doc.get()), "ProbeMatch", matches);
  for (xmlNode* m : matches) {
    ProbeMatch pm;
    if (xmlNode* a = find_first(m->children, "Address")) pm.address = content(a);
    if (xmlNode* x = find_first(m->children, "XAddrs")) {
      g_auto(GStrv) parts = g_strsplit_set(content(x).c_str(), " \t\r\n", -1);
      for (gchar** p = parts; *p; ++p)
        if (**p) pm.xaddrs.emplace_back(*p);
    }
    if (xmlNode* s = find_first(m->children, "Scopes")) {
      g_auto(GStrv) scopes = g_strsplit_set(content(s).c_str(), " \t\r\n", -1);
      for (gchar** p = scopes; *p; ++p) {
        const std::string scope = *p;
        for (auto [prefix, field] : {std::pair<const char*, std::string*>{"onvif://www.onvif.org/name/", &pm.name},
                                     {"onvif://www.onvif.org/hardware/", &pm.hardware}})
          if (scope.rfind(prefix, 0) == 0) {
            g_autofree gchar* plain = g_uri_unescape_string(scope.c_str() + std::string(prefix).size(), nullptr);
            if (plain) *field = plain;
          }
      }
    }
    if (!pm.xaddrs.empty()) out.push_back(std::move(pm));
  }
  return out;
}

}  // namespace focusmeter::scan::onvif
