"""救助: emergency living aid, winter–spring aid (冬春生活救助) issued from the supply stores, and the
rebuilding of collapsed and damaged houses (倒损住房恢复重建), one case per household (issue 13)."""
