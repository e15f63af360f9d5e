// The ONVIF SOAP messages and their parsers, without any network.
#include "scan/onvif_soap.h"

#include <gtest/gtest.h>

#include <string>

#include "scan/onvif_client.h"

namespace onvif = focusmeter::scan::onvif;

TEST(OnvifSoap, PasswordDigestMatchesTheWsSecurityFormula) {
  // Base64(SHA-1(nonce + created + password)), computed independently with
  // Python's hashlib for these inputs.
  std::string nonce;
  for (int i = 0; i < 16; ++i) nonce += static_cast<char>(i);
  EXPECT_EQ(onvif::password_digest(nonce, "2026-12-03T09:00:00Z", "Fm-Cam-pw-7c1e"), "qFp17f5R41L7QKEErp2NzN/vri4=");
}

TEST(OnvifSoap, EnvelopeCarriesADigestNeverThePassword) {
  const std::string e = onvif::envelope(onvif::get_profiles_body(), "ad<min", "Secret-pw-1");
  EXPECT_EQ(e.find("Secret-pw-1"), std::string::npos) << e;
  EXPECT_NE(e.find("#PasswordDigest"), std::string::npos);
  EXPECT_NE(e.find("<wsse:Username>ad&lt;min</wsse:Username>"), std::string::npos) << e;
  EXPECT_NE(e.find("<wsse:Nonce"), std::string::npos);
  EXPECT_NE(e.find("<wsu:Created>"), std::string::npos);
  EXPECT_EQ(onvif::envelope(onvif::get_profiles_body(), "", "").find("Security"), std::string::npos);
}

TEST(OnvifSoap, RepliesParsedWhateverThePrefixes) {
  const std::string caps =
      "<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope' xmlns:x='urn:t'><e:Body>"
      "<x:GetCapabilitiesResponse><x:Capabilities><x:Device><x:XAddr>http://d/dev</x:XAddr></x:Device>"
      "<x:Media><x:XAddr> http://10.0.0.5/onvif/Media </x:XAddr></x:Media></x:Capabilities>"
      "</x:GetCapabilitiesResponse></e:Body></e:Envelope>";
  EXPECT_EQ(onvif::media_xaddr(caps), "http://10.0.0.5/onvif/Media");
  const std::string profiles =
      "<Envelope><Body><GetProfilesResponse><Profiles token='main'/><Profiles token='sub'/></GetProfilesResponse>"
      "</Body></Envelope>";
  EXPECT_EQ(onvif::profile_tokens(profiles), (std::vector<std::string>{"main", "sub"}));
  EXPECT_EQ(onvif::stream_uri("<a:E xmlns:a='u'><a:MediaUri><a:Uri>rtsp://h/x?a=1&amp;b=2</a:Uri></a:MediaUri></a:E>"),
            "rtsp://h/x?a=1&b=2");
  const auto fault = onvif::read_reply(
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope' xmlns:ter='http://www.onvif.org/ver10/error'>"
      "<s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value>"
      "</s:Subcode></s:Code><s:Reason><s:Text>Sender not\nAuthorized</s:Text></s:Reason></s:Fault></s:Body>"
      "</s:Envelope>");
  EXPECT_TRUE(fault.fault);
  EXPECT_TRUE(fault.not_authorized);
  EXPECT_EQ(fault.fault_reason, "Sender not Authorized");
  EXPECT_FALSE(onvif::read_reply("HTTP/1.0 200 OK not xml").xml);
  EXPECT_FALSE(onvif::read_reply("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>").fault);
}

TEST(OnvifSoap, ProbeMatchesGiveAddressesAndNames) {
  const std::string probe = onvif::probe_message("urn:uuid:1234");
  EXPECT_NE(probe.find("dn:NetworkVideoTransmitter"), std::string::npos);
  EXPECT_NE(probe.find("<a:MessageID>urn:uuid:1234</a:MessageID>"), std::string::npos);
  const auto matches = onvif::probe_matches(
      "<e:Envelope xmlns:e='s' xmlns:d='d' xmlns:w='w'><e:Body><d:ProbeMatches><d:ProbeMatch>"
      "<w:EndpointReference><w:Address>urn:uuid:cam-1</w:Address></w:EndpointReference>"
      "<d:Scopes>onvif://www.onvif.org/name/Front%20door onvif://www.onvif.org/hardware/DS-2CD</d:Scopes>"
      "<d:XAddrs>http://10.0.0.7/onvif/device_service http://[fe80::1]/onvif/device_service</d:XAddrs>"
      "</d:ProbeMatch><d:ProbeMatch><w:Address>no xaddrs: skipped</w:Address></d:ProbeMatch>"
      "</d:ProbeMatches></e:Body></e:Envelope>");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].address, "urn:uuid:cam-1");
  EXPECT_EQ(matches[0].name, "Front door");
  EXPECT_EQ(matches[0].hardware, "DS-2CD");
  EXPECT_EQ(matches[0].xaddrs.size(), 2u);
}

// A device is trusted for paths and ports, never for where to send the scan.
TEST(OnvifClient, UrlsAreReaimedAtTheScannedHost) {
  using focusmeter::scan::reaim_url;
  EXPECT_EQ(reaim_url("http://192.168.0.64:8080/onvif/media", "10.1.2.3"), "http://10.1.2.3:8080/onvif/media");
  EXPECT_EQ(reaim_url("rtsp://u:pw@evil.example/live?ch=1", "10.1.2.3"), "rtsp://10.1.2.3/live?ch=1");
  EXPECT_EQ(reaim_url("not a url", "10.1.2.3"), "");
}
