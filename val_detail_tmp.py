import sys, pandas as pd
from nkborder.calibration import validate, load_shipped
pd.set_option("display.width", 250)
if __name__ == "__main__":
    v = validate(posterior=load_shipped(), holdout=(2012, 2015), reps=int(sys.argv[1]), seed=1, workers=1)
    p = v.predictions
    print(v.fit.to_string())
    print(p[p.series.isin(["arrivals","crossing_bribe","broker_fee"])].drop(columns=["source"]).to_string())
    p.to_csv(sys.argv[2])
