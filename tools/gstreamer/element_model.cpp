#include "gstreamer/element_model.h"

#include "focusmeter/parameters.h"

namespace focusmeter::gst {

void set_element_model(GstElement* focusmeter, const std::shared_ptr<const Model>& model,
                       std::optional<double> threshold) {
  // "model-object" takes a pointer to a shared_ptr and keeps its own copy
  // (gst-plugin/element/focusmeter_model_object.h).
  const std::shared_ptr<const Model>* object = model ? &model : nullptr;
  g_object_set(focusmeter, "model", "", "model-object", object, parameters::Threshold::kName,
               parameters::Threshold::to_value(threshold), nullptr);
}

}  // namespace focusmeter::gst
