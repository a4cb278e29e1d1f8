#!/usr/bin/env python3
"""The total loss of saved pictures, by the PyTorch reference's own code (reference_gatys.py: its network loader, its
preprocessing of the content and style images, its feature, Gram and loss formulas), for issue #16's time-to-picture
comparison. The picture is read as saved (8-bit RGB), converted to a tensor and normalised as the reference does.

usage: finish-eval.py REFERENCE_DIR WEIGHTS IMAGES_DIR PRESET[:SIZE[:STYLE_SIZE]] PNG [PNG ...]
prints one JSON line per picture: preset, png, content, style, tv, total.
"""
import json, sys
import torch
import torchvision.transforms as T
from PIL import Image

sys.path.insert(0, sys.argv[1])
import reference_gatys as R  # noqa: E402

def main():
    weights, images, spec = sys.argv[2], sys.argv[3], sys.argv[4]
    preset, *sizes = spec.split(":")
    torch.set_num_threads(2)
    p = dict(R.PRESETS[preset])
    if sizes:
        p["size"] = int(sizes[0])
        p["style_size"] = int(sizes[1]) if len(sizes) > 1 else p["style_size"]
    net = R.load_features(weights, torch.device("cpu"))
    upto = max(p["style_layers"] + (p["content_layer"],))
    content = R.preprocess(f"{images}/tubingen.jpg", p["size"], "cpu")
    style = R.preprocess(f"{images}/{preset}.jpg", p["style_size"], "cpu")
    with torch.no_grad():
        target_c = R.features(content, net, upto)[p["content_layer"]]
        sf = R.features(style, net, upto)
        target_s = [R.gram(sf[i]) for i in p["style_layers"]]
        for png in sys.argv[5:]:
            img = T.Compose([T.ToTensor(), T.Normalize(R.MEAN, R.STD)])(Image.open(png).convert("RGB")).unsqueeze(0)
            if img.shape != content.shape:
                raise SystemExit(f"{png}: shape {list(img.shape)} differs from the reference's content {list(content.shape)}")
            f = R.features(img, net, upto)
            # The reference's loss expressions, term by term, as in its optimisation loop.
            c = p["content_weight"] * ((f[p["content_layer"]] - target_c) ** 2).sum()
            s = sum(w * ((R.gram(f[i]) - g) ** 2).sum() for i, w, g in zip(p["style_layers"], p["style_weights"], target_s))
            tv = p["tv_weight"] * (((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2).sum() + ((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2).sum())
            print(json.dumps(dict(preset=preset, png=png, content=float(c), style=float(s), tv=float(tv), total=float(c + s + tv))), flush=True)

if __name__ == "__main__":
    main()
