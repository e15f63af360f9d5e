// Handing the command's model and threshold to a `focusmeter` element: the
// one loaded model object (never its path, so no pipeline re-reads or
// re-validates the file, and none falls back to $FOCUSMETER_MODEL), and the
// threshold converted once to the property's -1 = "the model's own".
#pragma once

#include <gst/gst.h>

#include <memory>
#include <optional>

#include "focusmeter/model.h"

namespace focusmeter::gst {

// `model` null: features only (the element's model is set to "", not left
// at its default).
void set_element_model(GstElement* focusmeter, const std::shared_ptr<const Model>& model,
                       std::optional<double> threshold);

}  // namespace focusmeter::gst
